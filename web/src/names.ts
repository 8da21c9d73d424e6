// Names for the codes the API answers with: models by their numbers (M01), dataset types by
// their keys. Each list is fetched once per page load from an endpoint the role may read and
// shared by the pages; the pure parts are unit-tested.
import { api, can, session, type Schema } from './api'
import { t } from './texts'

let names: Promise<Schema<'Names'>> | null = null
let types: Promise<Schema<'TypeView'>[]> | null = null
// Whose they are: another account signed in (with other permissions) asks again.
let owner: number | undefined

function mine() {
  if (session.me?.id !== owner) {
    owner = session.me?.id
    names = types = null
  }
}

const none: Schema<'Names'> = { models: {}, programs: {}, stages: {} }

/** The names of models, programmes and stages by code (GET /api/names, which every signed-in
 * account may read), asked once and shared by the pages. */
export function allNames(): Promise<Schema<'Names'>> {
  mine()
  names ??= api('GET', '/api/names').then(
    (n) => n,
    () => {
      names = null
      return none
    },
  )
  return names
}

/** The models' names by number (M01 → 死亡人员仍领取民生资金). */
export async function modelNames(): Promise<Record<string, string>> {
  return (await allNames()).models
}

/** The programmes' names by code (DIBAO → 最低生活保障). */
export async function programNames(): Promise<Record<string, string>> {
  return (await allNames()).programs
}

/** A model was saved: its name is asked for again. */
export function forgetModelNames() {
  names = null
}

/** The dataset types (fields, their types and keys) for those who read data; none otherwise. */
export function datasetTypes(): Promise<Schema<'TypeView'>[]> {
  mine()
  types ??= (can('data.read') ? api('GET', '/api/dataset-types').then((r) => r.types) : Promise.resolve([])).then(
    (list) => {
      if (!list.length) types = null
      return list
    },
    () => {
      types = null
      return []
    },
  )
  return types
}

/** The model's name out of an explanation's summary, "模型名（M01 v1）：说明"; null when the
 * summary is not of that model. */
export function modelNameFromSummary(summary: string, id: string, version: number): string | null {
  const head = `（${id} v${version}）：`
  const at = summary.indexOf(head)
  return at > 0 ? summary.slice(0, at) : null
}

/** A model parameter as people read it: a list (of programme codes) as its items, a number as a
 * number (months with their unit), a text without its quotes. The value is the TOML literal
 * the model file writes. */
export function paramShown(p: Schema<'ParamView'>): { list: string[] } | { text: string } {
  const raw = p.value.trim()
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch {
    return { text: raw }
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { list: v }
  if (typeof v === 'number') return { text: /(^|_)months$/.test(p.name) ? t.models.months(v) : String(v) }
  if (typeof v === 'string') return { text: v }
  return { text: raw }
}

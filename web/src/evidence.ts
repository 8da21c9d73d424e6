// An alert's evidence as people read it: the server answers one table per dataset and upload
// (a payment roll's alert: one one-row table per month); here they become one table per
// dataset with every row, each row keeping the upload and spreadsheet row it came from, the
// columns the model's rules read (and the money) first, and the money summed exactly in fen.
import type { Schema } from './api'

type Table = Schema<'EvidenceTable'>
type Condition = Schema<'ConditionExplained'>
type DatasetType = Schema<'TypeView'>

/** A column of a merged table: the dataset's field, its label and type when the standard is
 * known, and whether it is shown before the reader asks for more. */
export interface EvidenceColumn {
  key: string
  label: string
  type: Schema<'FieldType'> | null
  money: boolean
  main: boolean
}

/** A row with where it came from: the upload (its folder) and the row as the spreadsheet
 * numbered it, and the conditions of the model it satisfied. */
export interface EvidenceRow {
  /** Unique within the table (upload and row). */
  id: string
  upload: string
  row: number | null
  /** The kinds (触发, 同时存在 ...) of the conditions that cite this row, as the server words them. */
  kinds: string[]
  /** Cited by the firing condition: the rows the suspect amount is summed over. */
  fire: boolean
  cells: Record<string, string | null>
}

/** Every row of one dataset the alert rests on. */
export interface DatasetEvidence {
  dataset: string
  label: string
  /** The firing condition's dataset (the rows the suspect amount comes from). */
  fire: boolean
  /** The kinds of the conditions its rows satisfied, in the explanation's order. */
  kinds: string[]
  /** Every column but the internal ones (`_row`, `_upload`, `_birth_…`): the main ones first. */
  columns: EvidenceColumn[]
  rows: EvidenceRow[]
  /** How many uploads the rows came from. */
  uploads: number
  /** Per money column: the sum of its rows in fen; null when a value is not an amount. */
  sums: Record<string, bigint | null>
  /** Per money column: the sum of the firing rows only, in fen. */
  fireSums: Record<string, bigint | null>
}

/** The columns shown before "more columns": at least this many, when the dataset has them. */
export const MAIN_AT_LEAST = 7

const ROW = '_row'
const UPLOAD = '_upload'

/** An amount as the API writes it ("1234.50", "-3.5", "12") in whole fen, exactly; null when
 * the text is not an amount. */
export function moneyFen(s: string): bigint | null {
  const m = /^\s*(-)?(\d+)(?:\.(\d{1,2}))?\s*$/.exec(s)
  if (!m) return null
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'))
  return m[1] ? -fen : fen
}

/** The fields each condition's rule names, by dataset: `f.x` is the firing dataset's field,
 * `r.x` (and a bare name, as in a SQL rule or a grouping) the condition's own dataset's. A
 * grouping has no dataset of its own: its names are the firing dataset's. Names that are not
 * fields (functions, other aliases' fields) are left for the caller to drop. */
export function ruleFields(conditions: Condition[]): Map<string, Set<string>> {
  const fire = conditions.find((c) => c.condition === 'fire')?.dataset ?? ''
  const out = new Map<string, Set<string>>()
  const add = (dataset: string, field: string) => {
    if (!dataset) return
    let set = out.get(dataset)
    if (!set) out.set(dataset, (set = new Set()))
    set.add(field)
  }
  for (const c of conditions) {
    const own = c.dataset || fire
    // Quoted text ('DIBAO') is a value, not a name.
    const text = `${c.rule} ${c.condition === 'group' ? c.label : ''}`.replace(/'[^']*'/g, ' ')
    for (const m of text.matchAll(/\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b|\b([A-Za-z_]\w*)\b/g)) {
      if (m[3] !== undefined) add(own, m[3])
      else if (m[1] === 'f') add(fire, m[2])
      else if (m[1] === 'r') add(own, m[2])
    }
  }
  return out
}

/** Whether every value of a column reads as an amount with fen (the guess when the dataset's
 * type is not known). */
function looksLikeMoney(values: (string | null)[]): boolean {
  const given = values.filter((v): v is string => v !== null && v !== '')
  return given.length > 0 && given.every((v) => /^-?\d+\.\d{2}$/.test(v))
}

/** The evidence tables of an alert merged into one table per dataset: the firing dataset
 * first, then in the order of the explanation's conditions; rows in the order the server
 * gave them. `types` (the dataset types, when the reader may see them) tell money fields and
 * keys; without them an amount is recognised by its values. */
export function mergeEvidence(tables: Table[], conditions: Condition[], types: DatasetType[] = []): DatasetEvidence[] {
  // Which conditions cite each row: by upload and row (an upload's folder is unique).
  const cited = new Map<string, { kinds: string[]; fire: boolean }>()
  for (const c of conditions) {
    for (const e of c.rows) {
      const key = `${e.upload}\n${e.row}`
      const entry = cited.get(key) ?? { kinds: [], fire: false }
      if (!entry.kinds.includes(c.kind)) entry.kinds.push(c.kind)
      entry.fire ||= c.condition === 'fire'
      cited.set(key, entry)
    }
  }
  const fireDataset = conditions.find((c) => c.condition === 'fire')?.dataset
  const order = [...new Set([...conditions.map((c) => c.dataset), ...tables.map((t) => t.dataset)])].filter(Boolean)
  if (fireDataset) order.sort((a, b) => Number(b === fireDataset) - Number(a === fireDataset))
  const named = ruleFields(conditions)

  const out: DatasetEvidence[] = []
  for (const dataset of order) {
    const parts = tables.filter((t) => t.dataset === dataset)
    if (!parts.length) continue
    const type = types.find((t) => t.name === dataset)
    // The columns of every part, in the order they first appear (a type redefined between
    // uploads may have gained or lost some).
    const labels = new Map<string, string>()
    for (const p of parts) p.columns.forEach((c, j) => labels.has(c) || labels.set(c, p.labels[j] ?? c))
    const rows: EvidenceRow[] = []
    const uploads = new Set<string>()
    for (const p of parts) {
      for (const [i, r] of p.rows.entries()) {
        const cells: Record<string, string | null> = {}
        p.columns.forEach((c, j) => (cells[c] = r[j] ?? null))
        const upload = cells[UPLOAD] || p.upload_dir
        const n = cells[ROW] !== undefined && cells[ROW] !== null ? Number(cells[ROW]) : NaN
        const row = Number.isInteger(n) ? n : null
        const why = cited.get(`${upload}\n${row}`)
        uploads.add(upload)
        rows.push({ id: `${upload}\n${row ?? `#${i}`}`, upload, row, kinds: why?.kinds ?? [], fire: why?.fire ?? false, cells })
      }
    }
    const fields = [...labels.keys()].filter((c) => !c.startsWith('_'))
    const field = (k: string) => type?.fields.find((f) => f.key === k)
    const isMoney = (k: string) => (type ? field(k)?.type === 'money' : looksLikeMoney(rows.map((r) => r.cells[k] ?? null)))
    // The columns that matter: those the rules name, the money, the keys and the name; then,
    // up to MAIN_AT_LEAST, the next in the dataset's order.
    const wanted = new Set([...(named.get(dataset) ?? []), ...(type?.key ?? []), 'name'])
    const main = new Set(fields.filter((k) => wanted.has(k) || isMoney(k)))
    for (const k of fields) if (main.size < MAIN_AT_LEAST) main.add(k)
    const column = (k: string): EvidenceColumn => ({ key: k, label: labels.get(k) ?? k, type: field(k)?.type ?? null, money: isMoney(k), main: main.has(k) })
    const columns = [...fields.filter((k) => main.has(k)), ...fields.filter((k) => !main.has(k))].map(column)
    const sum = (of: EvidenceRow[], k: string): bigint | null => {
      let total = 0n
      for (const r of of) {
        const v = r.cells[k]
        if (v === null || v === undefined || v === '') continue
        const fen = moneyFen(v)
        if (fen === null) return null
        total += fen
      }
      return total
    }
    const money = columns.filter((c) => c.money).map((c) => c.key)
    const kinds = conditions.filter((c) => rows.some((r) => r.kinds.includes(c.kind))).map((c) => c.kind)
    out.push({
      dataset,
      label: parts[0].dataset_label || type?.label || dataset,
      fire: dataset === fireDataset,
      kinds: [...new Set(kinds)],
      columns,
      rows,
      uploads: uploads.size,
      sums: Object.fromEntries(money.map((k) => [k, sum(rows, k)])),
      fireSums: Object.fromEntries(money.map((k) => [k, sum(rows.filter((r) => r.fire), k)])),
    })
  }
  return out
}

/** The money column whose firing rows add up to the alert's suspect amount, if one does. */
export function amountColumn(ev: DatasetEvidence, amount: string | null): EvidenceColumn | null {
  const want = amount === null ? null : moneyFen(amount)
  if (want === null || !ev.fire) return null
  return ev.columns.find((c) => c.money && ev.fireSums[c.key] === want) ?? null
}

/** Whether the rows of a table satisfied different conditions (then each row says which). */
export function mixedKinds(ev: DatasetEvidence): boolean {
  const first = ev.rows[0]?.kinds.join('\n')
  return ev.rows.some((r) => r.kinds.join('\n') !== first)
}

/** An upload's folder as a short handle for a column: its last six characters (a folder is a
 * time-ordered UUID, whose leading digits uploads of the same minute share); the full name
 * goes in a tooltip. */
export function shortUpload(upload: string): string {
  return upload.length > 8 ? upload.slice(-6) : upload
}

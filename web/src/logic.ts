// Logic that lives in the browser, kept apart from the views so that it is unit-tested.
import { ApiError } from './api'

/** The first and last day of a month `YYYY-MM`. */
export function monthRange(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  const mm = String(m).padStart(2, '0')
  return [`${y}-${mm}-01`, `${y}-${mm}-${String(last).padStart(2, '0')}`]
}

/** The filters that are set: without undefined, null, empty and false ones (as an API query). */
export function given<T extends object>(f: T): Partial<T> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)) as Partial<T>
}

/** The alert-list filters carried in a URL query, without empty ones. */
export function alertQuery(f: Record<string, string | boolean | undefined | null>): URLSearchParams {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(given(f))) q.set(k, String(v))
  return q
}

/** Whole fen as yuan for display ("1,234.50"), by integer arithmetic. */
export function fenToYuan(fen: number | bigint): string {
  const n = typeof fen === 'bigint' ? fen : BigInt(Math.trunc(fen))
  const sign = n < 0n ? '-' : ''
  const a = n < 0n ? -n : n
  const whole = (a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${whole}.${(a % 100n).toString().padStart(2, '0')}`
}

/** Yuan as typed (`1234.5`) to fen, exactly; null when not a valid amount. */
export function yuanToFen(s: string): number | null {
  const m = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** Where a notification's object leads in the UI. */
export function objectLink(object: string): string | null {
  const alert = /^alert:(\d+)$/.exec(object)
  if (alert) return `/alerts/${alert[1]}`
  if (object.startsWith('alerts?')) return `/alerts?${object.slice(7)}`
  if (object.startsWith('recommendation:')) return '/recommendations'
  const doc = /^document:(\d+)$/.exec(object)
  if (doc) return `/documents/${doc[1]}`
  if (object === 'data/upload') return '/data/upload'
  return null
}

/** Persons pasted one per line as "ID number, name" (comma, tab or spaces between). */
export function parsePersons(text: string): { id_number: string; name: string }[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [id, ...rest] = l.split(/[\s,，\t]+/)
      return { id_number: id.replace(/x$/, 'X'), name: rest.join('') }
    })
}

/** Text as HTML that shows it literally: for the few places that must hand HTML to a library
 * (ECharts tooltips render their formatter's string as markup). */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

/** What to show of a failure: an error's message. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** A field of an error's `details`, when they are an object. The document does not describe
 * details: each error code has its own. */
export function detail(details: unknown, key: string): unknown {
  return typeof details === 'object' && details !== null ? (details as Record<string, unknown>)[key] : undefined
}

/** A list in a failure's `details` (a model's `problems`, a request's `persons`...), or none;
 * `e` is an ApiError or the details themselves. */
export function detailList(e: unknown, key: string): unknown[] {
  const v = detail(e instanceof ApiError ? e.details : e, key)
  return Array.isArray(v) ? v : []
}

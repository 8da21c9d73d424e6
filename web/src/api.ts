// The API client: JSON, the session cookie (sent by the browser) and the CSRF token on every
// state-changing request. A 401 sends the user back to the login page.
//
// Every call is checked against the server's OpenAPI document (docs/openapi.json, generated into
// api-types.ts by `npm run api-types`): the method and the path template pick the operation,
// whose path parameters, query and JSON body the call must give and whose reply (200, 201 or
// 202 JSON; 204 is `undefined`) it gets:
//
//   const page = await api('GET', '/api/alerts', { query: { model: 'M01', limit: 20 } })
//   await api('POST', '/api/alerts/{id}/review', { path: { id }, body: { decision: 'approve' } })
import { reactive } from 'vue'
import type { components, paths } from './api-types'

/** A schema of the API's document, by its name (the server's Rust type): `Schema<'AlertView'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N]
export type Me = Schema<'Me'>

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
export type Operation<P extends keyof paths, M extends Method> = Extract<paths[P][Lowercase<M>], { responses: object }>
/** The paths of the document that take `method`. */
export type PathOf<M extends Method> = { [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P }[keyof paths]

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never
type Success<R> =
  | (R extends { 200: infer X } ? Json<X> : never)
  | (R extends { 201: infer X } ? Json<X> : never)
  | (R extends { 202: infer X } ? Json<X> : never)
  | (R extends { 204: unknown } ? undefined : never)
/** What an operation answers when it succeeds. */
export type Reply<P extends PathOf<M>, M extends Method> = Success<Operation<P, M>['responses']>

type ParamsOf<O> = O extends { parameters: infer X } ? X : never
type PathArg<O> = ParamsOf<O> extends { path: infer X } ? { path: X } : { path?: never }
type QueryArg<O> = ParamsOf<O> extends { query: infer X } ? { query: X } : ParamsOf<O> extends { query?: infer X } ? { query?: X } : { query?: never }
type BodyArg<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? { body: B }
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? { body?: B }
    : { body?: never }
/** The path parameters, query and JSON body of an operation; each is required when it must be. */
export type Options<P extends PathOf<M>, M extends Method> = PathArg<Operation<P, M>> & QueryArg<Operation<P, M>> & BodyArg<Operation<P, M>>
export type Rest<T> = object extends T ? [options?: T] : [options: T]
/** The query of a GET operation. */
export type Query<P extends PathOf<'GET'>> = NonNullable<Options<P, 'GET'>['query']>

export interface Untyped {
  path?: Record<string, string | number>
  query?: Record<string, string | number | boolean | null | undefined>
  body?: unknown
}

export const session = reactive<{ me: Me | null; expired: boolean }>({ me: null, expired: false })

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details?: unknown) {
    super(message)
  }
}

/** The URL of a path template with its parameters and query (an absent or null query value is
 * left out). */
export function resolve(path: string, { path: params = {}, query = {} }: Untyped = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v))
  const s = String(q)
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name])) + (s && `?${s}`)
}

/** The error a failed reply carries (`{ error: { code, message, details } }`). */
export function failure(status: number, data: unknown): ApiError {
  const e: Partial<Schema<'Error'>['error']> = (data as Partial<Schema<'Error'>> | null)?.error ?? {}
  return new ApiError(status, e.code ?? 'unknown', e.message ?? String(status), e.details)
}

export function api<M extends Method, P extends PathOf<M>>(method: M, path: P, ...[options]: Rest<Options<P, M>>): Promise<Reply<P, M>>
export async function api(method: Method, path: string, options: Untyped = {}): Promise<unknown> {
  const { body } = options
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.me) headers['X-CSRF-Token'] = session.me.csrf_token
  const res = await fetch(resolve(path, options), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  })
  if (res.status === 204) return undefined
  const data: unknown = await res.json().catch(() => ({}))
  if (!res.ok) {
    const e = failure(res.status, data)
    if (res.status === 401 && session.me && path !== '/api/auth/login') {
      session.me = null
      session.expired = e.code === 'session_expired'
    }
    throw e
  }
  return data
}

export async function loadMe(): Promise<Me | null> {
  try {
    session.me = await api('GET', '/api/auth/me')
  } catch {
    session.me = null
  }
  return session.me
}

export function can(permission: string): boolean {
  return !!session.me?.permissions.includes(permission)
}

/** A page needs one permission, or any of several. */
export function canAny(need: string | readonly string[]): boolean {
  // An empty list: any signed-in account.
  return typeof need === 'string' ? can(need) : need.length === 0 || need.some(can)
}

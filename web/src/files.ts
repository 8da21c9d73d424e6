// Files: links to downloads and uploads as multipart, checked against the API's document like
// api(). Kept apart from api.ts: only pages use them, and this loads with them.
import { failure, resolve, session, type Operation, type Options, type PathOf, type Reply, type Rest, type Untyped } from './api'

/** A link to a download (a file, a template, an export): the browser fetches it with the cookie. */
export function href<P extends PathOf<'GET'>>(path: P, ...[options]: Rest<Options<P, 'GET'>>): string
export function href(path: string, options?: Untyped): string {
  return resolve(path, options)
}

type Multipart<O> = O extends { requestBody: { content: { 'multipart/form-data': infer F } } } ? F : never
/** The routes that take one file as multipart (field `file`) and nothing else. */
export type FileRoute = { [P in PathOf<'POST'>]: [keyof Multipart<Operation<P, 'POST'>>] extends ['file'] ? P : never }[PathOf<'POST'>]

/** Uploads a file as multipart (field `file`); the CSRF token goes in the header. */
export function uploadFile<P extends FileRoute>(path: P, file: File): Promise<Reply<P, 'POST'>>
export async function uploadFile(path: string, file: File): Promise<unknown> {
  const form = new FormData()
  form.append('file', file)
  const res = await fetch(path, {
    method: 'POST',
    headers: session.me ? { 'X-CSRF-Token': session.me.csrf_token } : {},
    body: form,
    credentials: 'same-origin',
  })
  const data: unknown = await res.json().catch(() => ({}))
  if (!res.ok) throw failure(res.status, data)
  return data
}

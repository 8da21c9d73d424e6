// The API client: JSON, the session cookie (sent by the browser) and the CSRF token on every
// state-changing request. A 401 sends the user back to the login page.
import { reactive } from 'vue'

export interface Me {
  id: number
  username: string
  display_name: string
  org: { id: number; name: string; town: string }
  role: { code: string; name: string; data_scope: string; admin: string | null }
  permissions: string[]
  must_change_password: boolean
  totp_enrolment_required: boolean
  csrf_token: string
}

export const session = reactive<{ me: Me | null; expired: boolean }>({ me: null, expired: false })

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details?: unknown) {
    super(message)
  }
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.me) headers['X-CSRF-Token'] = session.me.csrf_token
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  })
  if (res.status === 204) return undefined as T
  const data = await res.json().catch(() => ({}))
  if (!res.ok) {
    const e = data?.error ?? {}
    if (res.status === 401 && session.me && path !== '/api/auth/login') {
      session.me = null
      session.expired = e.code === 'session_expired'
    }
    throw new ApiError(res.status, e.code ?? 'unknown', e.message ?? String(res.status), e.details)
  }
  return data as T
}

export async function loadMe(): Promise<Me | null> {
  try {
    session.me = await api<Me>('GET', '/api/auth/me')
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

/** Uploads a file as multipart (field `file`); the CSRF token goes in the header. */
export async function uploadFile<T = any>(path: string, file: File): Promise<T> {
  const form = new FormData()
  form.append('file', file)
  const res = await fetch(path, {
    method: 'POST',
    headers: session.me ? { 'X-CSRF-Token': session.me.csrf_token } : {},
    body: form,
    credentials: 'same-origin',
  })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) {
    const e = data?.error ?? {}
    throw new ApiError(res.status, e.code ?? 'unknown', e.message ?? String(res.status), e.details)
  }
  return data as T
}


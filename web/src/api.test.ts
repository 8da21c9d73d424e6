import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, session, type Me } from './api'
import { href, uploadFile } from './files'
import { detailList, errorText } from './logic'

const me: Me = {
  id: 1, username: 'admin', display_name: 'A', idle_timeout_minutes: 30, must_change_password: false, totp_enrolment_required: false,
  csrf_token: 'tok', session_expires_at: '2026-12-01T00:00:00Z', permissions: [],
  org: { id: 1, kind: 'county', name: 'C', town: '' }, role: { code: 'admin', name: 'A', data_scope: 'all', admin: 'system' },
}

/** fetch answering `status` with `body` (JSON), recording what it was asked. */
function answer(status: number, body?: unknown) {
  const f = vi.fn(async (_url: string, _init: RequestInit) => new Response(body === undefined ? null : JSON.stringify(body), { status }))
  vi.stubGlobal('fetch', f)
  return f
}

afterEach(() => {
  vi.unstubAllGlobals()
  session.me = null
  session.expired = false
})

describe('api', () => {
  it('fills in the path template and the query, leaving out what is absent', async () => {
    const f = answer(200, { alerts: [], total: 0 })
    const r = await api('GET', '/api/alerts', { query: { town: '城关 镇', overdue: true, limit: 20, q: undefined } })
    expect(r.total).toBe(0)
    expect(f.mock.calls[0][0]).toBe('/api/alerts?town=%E5%9F%8E%E5%85%B3+%E9%95%87&overdue=true&limit=20')
    await api('GET', '/api/persons/{id}', { path: { id: 'a/b' }, query: { purpose: '' } })
    expect(f.mock.calls[1][0]).toBe('/api/persons/a%2Fb?purpose=')
    await api('GET', '/api/dashboard')
    expect(f.mock.calls[2][0]).toBe('/api/dashboard')
  })

  it('sends JSON with the CSRF token on a change, and neither on a read', async () => {
    session.me = me
    const f = answer(200, { ok: true })
    await api('POST', '/api/alerts/{id}/review', { path: { id: 7 }, body: { decision: 'approve', comment: '' } })
    const [url, init] = f.mock.calls[0]
    expect(url).toBe('/api/alerts/7/review')
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: '{"decision":"approve","comment":""}' })
    expect(init.headers).toEqual({ 'Content-Type': 'application/json', 'X-CSRF-Token': 'tok' })
    await api('GET', '/api/dashboard')
    expect(f.mock.calls[1][1].headers).toEqual({})
    await api('POST', '/api/auth/totp/setup')
    expect(f.mock.calls[2][1]).toMatchObject({ headers: { 'X-CSRF-Token': 'tok' }, body: undefined })
  })

  it('answers 204 with undefined', async () => {
    answer(204)
    expect(await api('DELETE', '/api/sessions/{id}', { path: { id: 'x' } })).toBeUndefined()
  })

  it('throws the error the server sends, with its details', async () => {
    answer(422, { error: { code: 'invalid_model', message: 'bad', details: { problems: ['p1', 'p2'] } } })
    const e = await api('POST', '/api/models/check', { body: { text: '' } }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ status: 422, code: 'invalid_model', message: 'bad' })
    expect(errorText(e)).toBe('bad')
    expect(detailList(e, 'problems')).toEqual(['p1', 'p2'])
    expect(detailList(e, 'persons')).toEqual([])
    answer(500)
    expect(await api('GET', '/api/dashboard').catch((x: unknown) => x)).toMatchObject({ status: 500, code: 'unknown', message: '500' })
  })

  it('signs out on a 401, noting an expired session', async () => {
    session.me = me
    answer(401, { error: { code: 'session_expired', message: 'expired' } })
    await expect(api('GET', '/api/dashboard')).rejects.toThrow('expired')
    expect(session).toMatchObject({ me: null, expired: true })
  })
})

describe('files', () => {
  it('links to a download', () => {
    expect(href('/api/files/{id}', { path: { id: 3 } })).toBe('/api/files/3')
    expect(href('/api/opinions/{id}/document', { path: { id: 2 }, query: { format: 'pdf' } })).toBe('/api/opinions/2/document?format=pdf')
    expect(href('/api/alerts/export', { query: {} })).toBe('/api/alerts/export')
  })

  it('uploads a file as multipart with the CSRF token', async () => {
    session.me = me
    const f = answer(200, { id: 9, name: 'a.txt', size: 1, content_type: 'text/plain', created_at: '', fingerprint: '' })
    const r = await uploadFile('/api/files', new File(['x'], 'a.txt'))
    expect(r.id).toBe(9)
    const [url, init] = f.mock.calls[0]
    expect(url).toBe('/api/files')
    expect(init.headers).toEqual({ 'X-CSRF-Token': 'tok' })
    expect((init.body as FormData).get('file')).toBeInstanceOf(File)
  })
})

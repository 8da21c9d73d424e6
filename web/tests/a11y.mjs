// Accessibility and first-render check: signs in as each demo role, opens every page the role's
// menu shows (and the reminder centre, the model editor and one of each detail page: an alert,
// a person, a document, an opinion, a data set's rows), and on each
//   - runs axe-core with the WCAG 2.0/2.1 A and AA rules and prints each violation (rule,
//     impact, target, page, role);
//   - measures the first render: from the start of the navigation (a full page load) until the
//     page's main content is visible and settled (no loading mask, none of the page's API
//     requests in flight) and stays so; above the budget (1000 ms) fails, and the slow page's
//     waterfall is printed;
//   - writes a full-page screenshot to web/test-results/a11y/ROLE-PAGE.png.
// It exits 1 on any violation, any page over budget or any page that did not open.
//
// Where it runs:
//   1. Against a running server, the demo's printed accounts in a file (or in the variable):
//        mingjing demo --data-dir D --persons 20000 --listen 127.0.0.1:8090 | tee demo.out &
//        (cd web && MINGJING_API=http://127.0.0.1:8090 npx vite preview --port 5190 &)
//        node web/tests/a11y.mjs --base http://127.0.0.1:5190 --accounts demo.out
//      or A11Y_BASE=... A11Y_ACCOUNTS=demo.out node web/tests/a11y.mjs. With the binary's own
//      UI the base is the demo's address itself.
//   2. In CI, against the real binary: with no base given it starts `MINGJING_BIN demo` (default
//      target/debug/mingjing) on a free port in a temporary directory, as tests/e2e.mjs does,
//      and reads the accounts from what it prints:
//        MINGJING_BIN=$CARGO_TARGET_DIR/debug/mingjing node web/tests/a11y.mjs
// Options: --roles leader,analyst (only these accounts), --budget-ms 1000, --shots DIR,
// A11Y_CHROMIUM (default /usr/bin/chromium).
// TOTP codes (administrators, roles reading full IDs) are computed here from the printed
// secrets (RFC 6238, SHA-1, 30 s, 6 digits); a step is used once per account. The sign-in
// throttle counts only failed attempts: each account signs in once, in its own context.
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

const args = process.argv.slice(2)
const opt = (name, env, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : process.env[env] ?? dflt
}
const budget = Number(opt('budget-ms', 'A11Y_BUDGET_MS', 1000))
const shots = opt('shots', 'A11Y_SHOTS', join(here, '../test-results/a11y'))
const onlyRoles = opt('roles', 'A11Y_ROLES', '')?.split(',').filter(Boolean)
const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
mkdirSync(shots, { recursive: true })

// The server: given, or the binary's demo started here.
let base = opt('base', 'A11Y_BASE', '')
let printed = ''
let demo, demoDir
if (base) {
  const acc = opt('accounts', 'A11Y_ACCOUNTS', '')
  if (!acc) throw new Error('--base needs --accounts FILE (what `mingjing demo` printed) or A11Y_ACCOUNTS')
  printed = existsSync(acc) ? readFileSync(acc, 'utf8') : acc
} else {
  const bin = opt('bin', 'MINGJING_BIN', join(here, '../../target/debug/mingjing'))
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) })
  })
  base = `http://127.0.0.1:${port}`
  demoDir = mkdtempSync(join(tmpdir(), 'mj-a11y-'))
  demo = spawn(bin, ['demo', '--data-dir', join(demoDir, 'demo'), '--persons', '20000', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    demo.stdout.on('data', (d) => { printed += d; if (printed.includes('serving http://')) resolve() })
    demo.on('exit', (c) => reject(new Error(`demo exited ${c}:\n${printed}`)))
    setTimeout(() => reject(new Error('demo did not start in 180 s')), 180_000).unref()
  })
}
base = base.replace(/\/$/, '')

// The accounts as the demo prints them: "demo accounts (password P):" then one line each,
// "  user  role" or "  user  role  TOTP secret S  (code: ...)".
const password = printed.match(/demo accounts \(password (\S+)\):/)?.[1]
if (!password) throw new Error('no "demo accounts (password …):" line in the accounts given')
const accounts = []
for (const line of printed.slice(printed.indexOf('demo accounts')).split('\n').slice(1)) {
  const m = line.match(/^\s+(\S+)\s+(\S+)(?:\s+TOTP secret (\S+))?/)
  if (!m) break
  accounts.push({ user: m[1], role: m[2], secret: m[3] })
}
// One account per role unless named.
const chosen = onlyRoles?.length
  ? accounts.filter((a) => onlyRoles.includes(a.user) || onlyRoles.includes(a.role))
  : accounts.filter((a, i) => accounts.findIndex((b) => b.role === a.role) === i)

function base32(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = '', out = []
  for (const c of s.replace(/=+$/, '').toUpperCase()) bits += abc.indexOf(c).toString(2).padStart(5, '0')
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2))
  return Buffer.from(out)
}
const lastStep = new Map()
async function totp(user, secret) {
  const step = () => Math.floor(Date.now() / 30_000)
  while (lastStep.get(user) === step()) await new Promise((r) => setTimeout(r, 500))
  const s = step()
  lastStep.set(user, s)
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(s))
  const h = createHmac('sha1', base32(secret)).update(counter).digest()
  const o = h[h.length - 1] & 15
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

const violations = []
const failedPages = new Set()
const checked = new Set()
const slow = []
const broken = []
const timings = []

// Runs axe on what the page shows now; third-party canvas internals are left out (none so far:
// ECharts draws into a <canvas> that axe does not read).
async function audit(page, role, name) {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource)
  const r = await page.evaluate(async (values) => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] })
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) }))
  }, tags)
  for (const v of r) {
    for (const n of v.targets) {
      violations.push({ role, page: name, rule: v.id, impact: v.impact, target: n.target })
      console.log(`VIOLATION ${v.id} (${v.impact}) ${role} ${name}: ${n.target}\n    ${v.help}; ${n.summary?.split('\n').slice(0, 3).join(' | ')}`)
    }
  }
  return r.length
}

// In every document: a count of the page's API requests in flight, so that "settled" can be
// told. The shell's own background requests (the header's reminder and chat counts) are not
// the page's content and are left out.
function countRequests() {
  const w = window
  w.__inflight = 0
  const f = w.fetch
  const shell = /^\/api\/(notifications|reminders|chat\/conversations)$/
  w.fetch = async (...a) => {
    const path = new URL(String(a[0]?.url ?? a[0]), location.href).pathname
    if (shell.test(path)) return f(...a)
    w.__inflight++
    try { return await f(...a) } finally { w.__inflight-- }
  }
}

// Milliseconds from the navigation's start until the main content is visible and settled: the
// layout's main area (or the sign-in box) holds visible content, no loading mask shows, no API
// request is in flight, and it stays so for 150 ms (the time taken is when it first became so).
async function firstRender(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    let since = null
    const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
    const ready = () => {
      const main = document.querySelector('.el-main') ?? document.querySelector('.center-box')
      if (!main || ![...main.children].some((c) => visible(c) && c.getBoundingClientRect().height > 0)) return false
      if ([...document.querySelectorAll('.el-loading-mask')].some(visible)) return false
      return window.__inflight === 0
    }
    const start = performance.now()
    const tick = () => {
      const now = performance.now()
      if (ready()) {
        since ??= now
        if (now - since >= 150) return resolve(Math.round(since))
      } else since = null
      if (now - start > 20_000) return reject(new Error('the page did not settle in 20 s'))
      requestAnimationFrame(tick)
    }
    tick()
  }))
}

// Where a slow page's time went: the document, the scripts, and each API request (start-end ms).
async function breakdown(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    const res = performance.getEntriesByType('resource')
    const js = res.filter((r) => r.name.endsWith('.js'))
    const api = res.filter((r) => new URL(r.name).pathname.startsWith('/api/'))
    const span = (r) => `${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`
    return [`document ${Math.round(nav.responseEnd)}, DOMContentLoaded ${Math.round(nav.domContentLoadedEventEnd)}`,
      `${js.length} scripts done ${Math.round(Math.max(0, ...js.map((r) => r.responseEnd)))}`,
      ...api.map((r) => `${new URL(r.name).pathname} ${span(r)}`)].join('; ')
  })
}

const slug = (s) => s.replace(/^\//, '').replace(/[^\w一-龥-]+/g, '_') || 'home'

async function visit(page, role, name, path) {
  try {
    await page.goto(base + path, { waitUntil: 'commit' })
    const ms = await firstRender(page)
    const at = new URL(page.url()).pathname
    if (at !== path.split('?')[0]) throw new Error(`landed on ${at}`)
    timings.push({ role, page: name, ms })
    if (ms > budget) slow.push({ role, page: name, ms, why: await breakdown(page) })
    await page.screenshot({ path: join(shots, `${role}-${slug(name)}.png`), fullPage: true })
    const n = await audit(page, role, name)
    checked.add(`${role} ${name}`)
    if (n || ms > budget) failedPages.add(`${role} ${name}`)
    console.log(`${n ? 'FAIL' : 'ok  '} ${role.padEnd(18)} ${name.padEnd(28)} ${String(ms).padStart(5)} ms${n ? `, ${n} rules violated` : ''}`)
  } catch (e) {
    broken.push({ role, page: name, error: String(e.message ?? e) })
    failedPages.add(`${role} ${name}`)
    console.log(`FAIL ${role} ${name}: ${e.message ?? e}`)
    await page.screenshot({ path: join(shots, `${role}-${slug(name)}-error.png`), fullPage: true }).catch(() => undefined)
  }
}

// A state reached by acting on a page (an open date picker, dialog or message): a screenshot
// and axe.
async function state(page, role, name, act) {
  try {
    await act()
    await page.waitForTimeout(400) // the transition
    await page.screenshot({ path: join(shots, `${role}-${slug(name)}.png`), fullPage: true })
    const n = await audit(page, role, name)
    checked.add(`${role} ${name}`)
    if (n) failedPages.add(`${role} ${name}`)
    console.log(`${n ? 'FAIL' : 'ok  '} ${role.padEnd(18)} ${name}`)
  } catch (e) {
    broken.push({ role, page: name, error: String(e.message ?? e) })
    failedPages.add(`${role} ${name}`)
    console.log(`FAIL ${role} ${name}: ${e.message ?? e}`)
  }
}

const json = (page, path, method = 'GET', body) => page.evaluate(async ([path, method, body]) => {
  const me = await (await fetch('/api/auth/me')).json()
  const r = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token } : {}, body: body ? JSON.stringify(body) : undefined })
  return r.ok ? r.json() : null
}, [path, method, body])

// The detail pages a role may open, found (or, in the demo, made) through the API.
async function detailPages(page, me) {
  const can = (p) => me.permissions.includes(p)
  const out = []
  if (can('alerts.read')) {
    const r = await json(page, '/api/alerts?limit=1')
    if (r?.alerts?.[0]) out.push(['alert', `/alerts/${r.alerts[0].id}`])
  }
  if (can('person.lookup')) {
    const purpose = '无障碍检查'
    for (const q of ['王', '李', '张', '刘']) {
      const r = await json(page, `/api/persons?q=${encodeURIComponent(q)}&purpose=${encodeURIComponent(purpose)}`)
      if (r?.persons?.[0]) { out.push(['person', `/persons/${r.persons[0].handle}?purpose=${encodeURIComponent(purpose)}`]); break }
    }
  }
  if (can('documents.send') || can('documents.receive')) {
    let doc
    for (const box of ['received', 'sent']) doc ??= (await json(page, `/api/documents?box=${box}&q=`))?.documents?.[0]
    if (!doc && can('documents.send')) {
      const book = await json(page, '/api/documents/addressees')
      // To every other unit, so that the roles that only receive have it too.
      const orgs = (book?.orgs ?? []).filter((o) => o.id !== me.org.id).map((o) => o.id)
      if (orgs.length) doc = await json(page, '/api/documents', 'POST', { title: '无障碍检查通知', body: '无障碍检查。', secrecy: '内部', deadline: null, reply_required: false, org_ids: orgs, user_ids: [], files: [] })
    }
    if (doc) out.push(['document', `/documents/${doc.id}`])
  }
  if (can('opinions.draft') || can('opinions.review') || can('opinions.approve')) {
    let op = (await json(page, '/api/opinions'))?.requests?.[0]
    if (!op && can('opinions.draft') && can('data.read')) {
      const rows = (await json(page, '/api/dataset-types/supervised_persons/rows?limit=1'))?.rows
      if (rows?.[0]) op = await json(page, '/api/opinions', 'POST', { reference: '无障碍〔2026〕1号', purpose: '提拔任用', requesting_org: '县委组织部', reply_date: new Date().toISOString().slice(0, 10), persons: [{ id_number: rows[0][0], name: rows[0][1] }] })
    }
    if (op) out.push(['opinion', `/opinions/${op.id}`])
  }
  if (can('data.read')) {
    const r = await json(page, '/api/dataset-types')
    if (r?.types?.[0]) out.push(['data browse', `/data/browse/${r.types[0].name}`])
  }
  const kinds = out.map(([k]) => k)
  for (const [k, need] of [['alert', ['alerts.read']], ['person', ['person.lookup']], ['document', ['documents.send', 'documents.receive']], ['opinion', ['opinions.draft', 'opinions.review', 'opinions.approve']], ['data browse', ['data.read']]]) {
    if (need.some(can) && !kinds.includes(k)) console.log(`note: ${me.role.code} may open a ${k} page but none was found or made`)
  }
  if (can('models.manage')) out.push(['model editor', '/models/editor'])
  out.push(['inbox', '/inbox'])
  return out
}

let browser
let exit = 0
try {
  browser = await chromium.launch({
    executablePath: process.env.A11Y_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  const context = () => browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  console.log(`${base}: ${chosen.map((a) => a.user).join(', ')}`)

  // The sign-in page, before anyone signs in.
  {
    const ctx = await context()
    await ctx.addInitScript(countRequests)
    await visit(await ctx.newPage(), 'anonymous', 'login', '/login')
    await ctx.close()
  }

  for (const a of chosen) {
    const ctx = await context()
    await ctx.addInitScript(countRequests)
    const page = await ctx.newPage()
    page.on('pageerror', (e) => broken.push({ role: a.role, page: page.url(), error: `page error: ${e}` }))
    await page.goto(base + '/login')
    await page.fill('input[name=username]', a.user)
    await page.fill('input[name=password]', password)
    await page.click('button[type=submit]')
    if (a.secret) {
      await page.waitForSelector('input[name=totp]')
      await page.fill('input[name=totp]', await totp(a.user, a.secret))
      await page.click('button[type=submit]')
    }
    await page.waitForURL((u) => !u.pathname.endsWith('/login'), { timeout: 15_000 })
    const me = await json(page, '/api/auth/me')
    if (me.must_change_password || me.totp_enrolment_required) throw new Error(`${a.user}: the demo account asks for a password change or TOTP enrolment`)
    await page.waitForSelector('.el-aside [data-path]')
    const menu = await page.$$eval('.el-aside [data-path]', (els) => els.map((e) => [e.textContent.trim(), e.getAttribute('data-path')]))
    for (const [title, path] of menu) await visit(page, a.role, `${path} ${title}`, path)
    for (const [name, path] of await detailPages(page, me)) await visit(page, a.role, name, path)

    // States that only show after acting: a date picker, a dialog, a message.
    const open = async (path) => { await page.goto(base + path, { waitUntil: 'commit' }); await firstRender(page) }
    if (menu.some(([, p]) => p === '/alerts')) {
      await state(page, a.role, 'alerts date picker', async () => {
        await open('/alerts')
        await page.click('.filters .el-date-editor input')
        await page.waitForSelector('.el-picker-panel', { state: 'visible' })
      })
    }
    if (menu.some(([, p]) => p === '/system/users')) {
      await state(page, a.role, 'users dialog', async () => {
        await open('/system/users')
        await page.click('.el-main .toolbar .el-button--primary')
        await page.waitForSelector('.el-dialog', { state: 'visible' })
      })
    }
    if (menu.some(([, p]) => p === '/system/policy')) {
      await state(page, a.role, 'policy saved message', async () => {
        await open('/system/policy')
        await page.click('.el-main .el-button--primary')
        await page.waitForSelector('.el-message', { state: 'visible' })
      })
    }
    await ctx.close()
  }
} catch (e) {
  console.error(e)
  exit = 1
} finally {
  await browser?.close()
  if (demo) {
    demo.kill()
    rmSync(demoDir, { recursive: true, force: true })
  }
}

console.log('\nfirst render (ms):')
for (const t of timings) console.log(`  ${String(t.ms).padStart(5)}  ${t.role.padEnd(18)} ${t.page}`)
const byRule = {}
for (const v of violations) byRule[v.rule] = (byRule[v.rule] ?? 0) + 1
console.log(`\naxe violations (nodes) by rule: ${JSON.stringify(byRule)}`)
for (const s of slow) console.log(`SLOW ${s.role} ${s.page}: ${s.ms} ms > ${budget} ms (${s.why})`)
for (const b of broken) console.log(`BROKEN ${b.role} ${b.page}: ${b.error}`)
const all = new Set([...checked, ...failedPages])
console.log(`${all.size - failedPages.size} passed, ${failedPages.size} failed`)
process.exit(exit || violations.length || slow.length || broken.length ? 1 : 0)

// Browser test: the demo served by the real binary, driven in Debian's Chromium.
// A department verifier sees its alerts masked and opens one with its explanation; the audit
// administrator signs in with TOTP and verifies the audit chain; nothing leaves the origin.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'node:net'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const bin = process.env.MINGJING_BIN ?? join(here, '../../target/debug/mingjing')
const shots = join(here, '../test-results')
mkdirSync(shots, { recursive: true })

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) })
})
const base = `http://127.0.0.1:${port}`
const dir = mkdtempSync(join(tmpdir(), 'mj-e2e-'))
const demo = spawn(bin, ['demo', '--data-dir', join(dir, 'demo'), '--persons', '20000', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] })
let printed = ''
await new Promise((resolve, reject) => {
  demo.stdout.on('data', (d) => { printed += d; if (printed.includes('serving http://')) resolve() })
  demo.on('exit', (c) => reject(new Error(`demo exited ${c}:\n${printed}`)))
  setTimeout(() => reject(new Error('demo did not start in 180 s')), 180_000)
})
const secret = printed.match(/auditadmin\s+audit_admin\s+TOTP secret (\S+)/)[1]

function check(cond, what) {
  if (!cond) throw new Error(`failed: ${what}`)
  console.log(`ok - ${what}`)
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const outside = []
  page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()) })
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))

  await page.goto(base + '/')
  await page.waitForURL('**/login')
  await page.fill('input[name=username]', 'mz_verifier')
  await page.fill('input[name=password]', 'Mingjing@2026demo')
  await page.click('button[type=submit]')
  await page.waitForURL('**/alerts')
  await page.waitForSelector('[data-test=alerts] .el-table__row')
  const who = await page.textContent('[data-test=who]')
  check(who.includes('民政局') && who.includes('部门核查员'), 'the shell shows the organisation and role')
  const total = await page.textContent('[data-test=total]')
  check(/共 [1-9]\d* 条/.test(total), `the verifier sees alerts (${total})`)
  const table = await page.textContent('[data-test=alerts]')
  check(table.includes('********') && !/\d{17}[\dX]/.test(table), 'ID numbers are masked for a verifier')
  check(!table.includes('人社局'), 'only alerts routed to 民政局')
  const menu = await page.textContent('.el-aside')
  check(menu.includes('预警分析') && !menu.includes('系统管理'), 'the menu shows only what the role may open')
  await page.screenshot({ path: join(shots, 'alerts-1366.png') })
  await page.click('[data-test=alerts] .el-table__row >> nth=0 >> a')
  await page.waitForSelector('[data-test=condition]')
  const conditions = await page.locator('[data-test=condition]').allTextContents()
  check(conditions.length >= 1 && conditions[0].includes('【触发】'), 'the alert explains why it fired')
  await page.screenshot({ path: join(shots, 'alert-detail-1366.png'), fullPage: true })
  const api404 = await page.evaluate(async () => { const r = await fetch('/api/nothing/here'); return [r.status, await r.text()] })
  check(api404[0] === 404 && api404[1].includes('route_not_found'), '/api/* never falls back to index.html')

  // A department clerk: the catalog, then an upload rejected with its errors, then one that lands.
  const ctx3 = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const clerk = await ctx3.newPage()
  clerk.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()) })
  clerk.on('pageerror', (e) => errors.push(String(e)))
  await clerk.goto(base + '/login')
  await clerk.fill('input[name=username]', 'mz_clerk')
  await clerk.fill('input[name=password]', 'Mingjing@2026demo')
  await clerk.click('button[type=submit]')
  await clerk.waitForURL('**/data/types')
  await clerk.waitForSelector('[data-test=catalog] .el-table__row')
  check((await clerk.textContent('[data-test=catalog]')).includes('死亡人员'), 'the clerk sees the catalog of dataset types')
  await clerk.click('.el-aside >> text=数据上传')
  await clerk.waitForURL('**/data/upload')
  await clerk.click('[data-test=type]')
  await clerk.click('.el-select-dropdown__item >> text=死亡人员（deaths）')
  const header = '公民身份号码,姓名,死亡日期,数据来源\n'
  await clerk.setInputFiles('[data-test=file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(header + '11010519491231002X,张三,2026-13-45,火化记录\n') })
  await clerk.click('[data-test=submit]')
  await clerk.waitForSelector('[data-test=errors] .el-table__row')
  const errText = await clerk.textContent('[data-test=errors]')
  check(errText.includes('死亡日期') && errText.includes('不是有效日期') && (await clerk.textContent('[data-test=result]')).includes('未导入任何数据'), 'a rejected upload shows its row and column errors')
  await clerk.screenshot({ path: join(shots, 'upload-rejected-1366.png') })
  await clerk.setInputFiles('[data-test=file]', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(header + '11010519491231002X,张三,2026-01-05,火化记录\n') })
  await clerk.click('[data-test=submit]')
  await clerk.waitForFunction(() => document.querySelector('[data-test=result]')?.textContent?.includes('上传成功'))
  await clerk.waitForFunction(() => document.querySelector('[data-test=history]')?.textContent?.includes('good.csv'))
  const history = await clerk.textContent('[data-test=history]')
  check(history.includes('good.csv') && !history.includes('bad.csv'), 'a good upload lands in the history; the rejected one does not')

  // The audit administrator: TOTP, then the audit log and its verification.
  const ctx2 = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
  const admin = await ctx2.newPage()
  admin.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()) })
  await admin.goto(base + '/login')
  await admin.fill('input[name=username]', 'auditadmin')
  await admin.fill('input[name=password]', 'Mingjing@2026demo')
  await admin.click('button[type=submit]')
  await admin.waitForSelector('input[name=totp]')
  const code = execFileSync(bin, ['totp-code', secret]).toString().trim()
  await admin.fill('input[name=totp]', code)
  await admin.click('button[type=submit]')
  await admin.waitForURL('**/system/audit')
  await admin.waitForSelector('[data-test=audit] .el-table__row')
  const adminMenu = await admin.textContent('.el-aside')
  check(adminMenu.includes('审计日志') && !adminMenu.includes('预警分析'), 'the audit administrator sees no business module')
  await admin.click('[data-test=verify]')
  await admin.waitForSelector('[data-test=verify-result]')
  check((await admin.textContent('[data-test=verify-result]')).includes('日志完整'), 'the audit chain verifies in the browser')
  await admin.screenshot({ path: join(shots, 'audit-1920.png') })

  check(outside.length === 0, `no request leaves the server (${outside.join(', ')})`)
  check(errors.length === 0, `no script errors (${errors.join('; ')})`)
} finally {
  await browser.close()
  demo.kill()
  rmSync(dir, { recursive: true, force: true })
}

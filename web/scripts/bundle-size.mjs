// The size of what the browser loads before the first page renders, read from a finished
// `vite build` (it builds nothing): index.html's module scripts and modulepreloads, and the
// static imports of its entry chunks from the Vite manifest (dist/.vite/manifest.json).
// Prints the initial JavaScript and CSS and the totals in bytes, and exits 1 when the initial
// JavaScript is above the limit (600 kB = 600,000 bytes, or BUNDLE_LIMIT bytes), 2 when dist
// is missing. Usage: npm run build && npm run size  [-- --json]
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const limit = Number(process.env.BUNDLE_LIMIT || 600_000)
const manifestPath = join(dist, '.vite', 'manifest.json')
if (!existsSync(join(dist, 'index.html')) || !existsSync(manifestPath)) {
  console.error(`bundle-size: no ${relative(process.cwd(), dist)}/index.html or .vite/manifest.json: run \`npm run build\` first`)
  process.exit(2)
}
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
const size = (file) => statSync(join(dist, file)).size
const local = (url) => url.replace(/^\//, '').split(/[?#]/)[0]

// What index.html itself references.
const initial = new Set()
const css = new Set()
for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
  const attr = (name) => tag.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1]
  if (tag.startsWith('<script') && attr('src')) initial.add(local(attr('src')))
  else if (/\brel="modulepreload"/.test(tag) && attr('href')) initial.add(local(attr('href')))
  else if (/\brel="stylesheet"/.test(tag) && attr('href')) css.add(local(attr('href')))
}

// Their static imports from the manifest, transitively (dynamic imports are left out: they
// load with their routes).
const byFile = new Map(Object.entries(manifest).map(([key, chunk]) => [chunk.file, { key, ...chunk }]))
const seen = new Set()
const visit = (key) => {
  if (seen.has(key) || !manifest[key]) return
  seen.add(key)
  const chunk = manifest[key]
  initial.add(chunk.file)
  for (const c of chunk.css ?? []) css.add(c)
  for (const k of chunk.imports ?? []) visit(k)
}
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key)
for (const file of [...initial]) if (byFile.has(file)) visit(byFile.get(file).key)

const all = (dir) => readdirSync(join(dist, dir), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? all(join(dir, d.name)) : [join(dir, d.name)]))
const files = all('.').filter((f) => !f.startsWith('.vite'))
const sum = (list) => list.reduce((n, f) => n + size(f), 0)
const jsFiles = [...initial].filter((f) => f.endsWith('.js'))
const result = {
  initialJs: sum(jsFiles),
  initialCss: sum([...css]),
  totalJs: sum(files.filter((f) => f.endsWith('.js'))),
  totalCss: sum(files.filter((f) => f.endsWith('.css'))),
  total: sum(files),
  limit,
  initialFiles: jsFiles.sort(),
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
else {
  const fmt = (n) => `${n.toLocaleString('en-US')} B`
  for (const f of result.initialFiles) console.log(`  ${f.padEnd(44)} ${fmt(size(f)).padStart(12)}`)
  console.log(`initial JS   ${fmt(result.initialJs)} (limit ${fmt(limit)})`)
  console.log(`initial CSS  ${fmt(result.initialCss)}`)
  console.log(`total JS     ${fmt(result.totalJs)}`)
  console.log(`total CSS    ${fmt(result.totalCss)}`)
  console.log(`total dist   ${fmt(result.total)}`)
}
if (result.initialJs > limit) {
  console.error(`bundle-size: the initial JavaScript, ${result.initialJs} bytes, is above ${limit}`)
  process.exit(1)
}

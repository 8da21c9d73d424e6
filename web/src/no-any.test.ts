// No `any` in the web UI: the API's types come from its document (api-types.ts), everything
// else is typed or `unknown`. A third-party callback that truly needs `any` goes on the list
// below, by file and the line as written, with the reason.
import { describe, expect, it } from 'vitest'
import ts from 'typescript'

const allowed: { file: string; line: string; reason: string }[] = [
  // e.g. { file: 'views/X.vue', line: "formatter: (p: any) => ...", reason: 'ECharts ...' },
]

// Every source but the generated types and the tests, as text, by path (`./views/X.vue`).
const sources = import.meta.glob<string>(['./**/*.ts', './**/*.vue', '!./api-types.ts', '!./**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

/** The TypeScript of a file: a script as it is; a component's script blocks, and its template's
 * bound attributes and interpolations one by one (each where it stands in the file). */
function pieces(path: string, text: string): { code: string; at: number }[] {
  if (!path.endsWith('.vue')) return [{ code: text, at: 0 }]
  const out: { code: string; at: number }[] = []
  const blocks = /<(script|style)\b[^>]*>([\s\S]*?)<\/\1>/g
  for (const m of text.matchAll(blocks)) if (m[1] === 'script') out.push({ code: m[2], at: m.index + m[0].indexOf(m[2]) })
  // The rest is the template (blanked blocks keep every offset).
  const template = text.replace(blocks, (b) => b.replace(/[^\n]/g, ' '))
  for (const m of template.matchAll(/\s(?:[:@#]|v-)[\w.:-]*(?:\[[^\]]*\])?="([^"]*)"|\{\{([\s\S]*?)\}\}/g)) {
    const code = m[1] ?? m[2]
    // An expression; a slot's props or a v-for are patterns, which parse as expressions too.
    out.push({ code: `(${code})`, at: m.index + m[0].indexOf(code) - 1 })
  }
  return out
}

/** Each `any` written as a type: its line, as written. */
function anys(path: string, text: string): string[] {
  const lines = text.split('\n')
  const found: { at: number; line: string }[] = []
  for (const { code, at } of pieces(path, text)) {
    const file = ts.createSourceFile(path, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.AnyKeyword) {
        const pos = at + node.getStart(file)
        found.push({ at: pos, line: lines[text.slice(0, pos).split('\n').length - 1].trim() })
      }
      ts.forEachChild(node, visit)
    }
    visit(file)
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.line)
}

describe('no any', () => {
  const found = Object.entries(sources).flatMap(([path, text]) => anys(path, text).map((line) => ({ file: path.slice(2), line })))

  it('is written as a type outside the allowed third-party callbacks', () => {
    const unexpected = found.filter((f) => !allowed.some((a) => a.file === f.file && a.line === f.line))
    expect(unexpected, 'type these (api.ts: Schema<...>, Reply<...>; unknown for what is not known)').toEqual([])
  })

  it('has no stale allowance', () => {
    const stale = allowed.filter((a) => !found.some((f) => a.file === f.file && a.line === f.line))
    expect(stale).toEqual([])
  })

  it('finds what it looks for', () => {
    expect(Object.keys(sources)).toContain('./views/Alerts.vue')
    expect(Object.keys(sources)).not.toContain('./api-types.ts')
    const sample = '<template><el-table-column><template #default="{ row }">{{ row.params.map((p: any) => p) }}</template></el-table-column></template>\n<script setup lang="ts">\nconst x = ref<any[]>([]) // any\nconst s = "any"\n</script>\n'
    expect(anys('sample.vue', sample)).toEqual([
      '<template><el-table-column><template #default="{ row }">{{ row.params.map((p: any) => p) }}</template></el-table-column></template>',
      'const x = ref<any[]>([]) // any',
    ])
    expect(anys('sample.ts', 'let a: any; let b = c as any; type T = Record<string, any>\n// any\n')).toHaveLength(3)
  })
})

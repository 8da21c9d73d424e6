// api-types.ts is generated from the server's OpenAPI document (`npm run api-types`); this
// fails when the committed file is not what the generator makes of the committed document.
import { describe, expect, it } from 'vitest'
import document from '../../docs/openapi.json?raw'
import committed from './api-types.ts?raw'
import { generate } from '../scripts/api-types.mjs'

describe('api-types.ts', () => {
  it('is what openapi-typescript makes of docs/openapi.json', async () => {
    const generated = await generate(document)
    const ours = committed.split('\n'), theirs = generated.split('\n')
    const line = ours.findIndex((l, i) => l !== theirs[i])
    const where = line < 0 ? `it has ${ours.length} lines, the generator's ${theirs.length}` : `line ${line + 1}: ${JSON.stringify(ours[line])}, generated: ${JSON.stringify(theirs[line])}`
    expect(committed === generated, `web/src/api-types.ts differs from docs/openapi.json (${where}): run \`npm run api-types\` in web/`).toBe(true)
  }, 60_000)
})

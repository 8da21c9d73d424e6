// The web UI's API types, generated from the server's OpenAPI document (../docs/openapi.json)
// by openapi-typescript into src/api-types.ts. `npm run api-types` writes the file;
// src/api-types.test.ts calls `generate()` and fails when the committed file differs from it.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
export const documentPath = join(web, '..', 'docs', 'openapi.json')
export const typesPath = join(web, 'src', 'api-types.ts')

const header = `// Generated from docs/openapi.json by openapi-typescript (web/scripts/api-types.mjs): do not
// edit. After the document changes, run \`npm run api-types\` in web/; src/api-types.test.ts fails
// while this file differs from what the generator makes of the document.

`

/** The TypeScript the document's schemas and operations are, as src/api-types.ts holds it. */
export async function generate(documentText = readFileSync(documentPath, 'utf8')) {
  const ast = await openapiTS(JSON.parse(documentText), {
    // A field with a default that is not required (a request's `#[serde(default)]`) stays
    // optional: the server fills it in. What the server always writes is `required`.
    defaultNonNullable: false,
    silent: true,
  })
  return header + astToString(ast)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(typesPath, await generate())
  console.log(`wrote ${typesPath}`)
}

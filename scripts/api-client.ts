// Regenerates packages/api-client/src/schema.ts — the types of the typed API client — from the
// committed docs/openapi.json. packages/api-client/test/schema.test.ts fails when it is stale.
// Run: npm run api-client (npm run openapi runs it too).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const documentFile = new URL('../docs/openapi.json', import.meta.url);
export const schemaFile = new URL('../packages/api-client/src/schema.ts', import.meta.url);

const HEADER = '// Generated from docs/openapi.json by `npm run api-client`. Do not edit by hand.\n\n';

/** The schema module's text for the committed OpenAPI document. */
export async function generateSchema(): Promise<string> {
  const document = JSON.parse(readFileSync(documentFile, 'utf8'));
  return HEADER + astToString(await openapiTS(document, { alphabetize: false }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(schemaFile, await generateSchema());
  console.log(`packages/api-client/src/schema.ts regenerated from docs/openapi.json`);
}

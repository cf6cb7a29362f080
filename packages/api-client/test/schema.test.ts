import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchema, schemaFile } from '../../../scripts/api-client.js';

describe('the committed API client types', () => {
  it('match docs/openapi.json (run `npm run api-client` after `npm run openapi`)', async () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(await generateSchema());
  });
});

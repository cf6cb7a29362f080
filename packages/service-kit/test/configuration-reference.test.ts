import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_DOC, renderConfigurationReference } from '../../../scripts/configuration.js';

describe('docs/configuration.md', () => {
  it('lists every environment variable of every service as the config schemas define them today', () => {
    // Stale? Run: npx tsx scripts/configuration.ts
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(renderConfigurationReference());
  });

  it('names each variable once, with who reads it', () => {
    const rows = renderConfigurationReference()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    const keys = rows.map((row) => row.split('|')[1]?.trim());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['`DATABASE_URL`', '`SERVICE_PRIVATE_KEY`', '`SERVICE_PUBLIC_KEYS`', '`JWT_PRIVATE_KEY`', '`OUTBOX_RELAY`', '`EVAL_QUEUE_LIMIT`']));
    expect(rows.find((row) => row.startsWith('| `SERVICE_PUBLIC_KEYS`'))).toContain('every service');
  });
});

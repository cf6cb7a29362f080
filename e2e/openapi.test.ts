import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiClient } from './http.js';
import { startSystem } from './system.js';

describe('the committed OpenAPI document', () => {
  it('matches what the running system serves (run `npm run openapi` after changing a route)', async () => {
    const system = await startSystem();
    try {
      const served = (await apiClient(system.baseUrl)('/api/v1/openapi.json')).body;
      const committed = JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8'));
      expect(served).toEqual(committed);
    } finally {
      await system.stop();
    }
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSignedInUser } from './http.js';
import { startSystem, type System } from './system.js';

interface Operation {
  method: string;
  path: string;
}

const spec = JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};
const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map((method) => ({ method: method.toUpperCase(), path })),
);

// Path parameters that are not valid ids, or ids at and past the edge of the id columns.
const BAD_IDS = ['abc', '0', '-1', '1.5', '1e3', '0x10', '2147483647', '2147483648', '99999999999999999999', '%00', 'null'];
// Bodies of the wrong kind, shape or size.
const BAD_BODIES: Array<[string, string]> = [
  ['application/json', 'not json'],
  ['application/json', '[]'],
  ['application/json', 'null'],
  ['application/json', '"a string"'],
  ['application/json', '{"__proto__":{"admin":true}}'],
  ['application/json', JSON.stringify({ title: 5, text: [], community: {}, to: null, content: 1, code: false, direction: 'sideways', delta: 'x', post_ids: 'all', user_id: -1, exercise_id: 1.5, correct: 'yes', language: 'cobol', tests: 'none' })],
  ['application/json', JSON.stringify({ title: 'x'.repeat(100_000), text: 'y'.repeat(500_000), content: 'z'.repeat(200_000), code: 'w'.repeat(200_000) })],
  ['text/plain', 'hello'],
];

/**
 * Every operation of the public API, fed ids, bodies and queries it must refuse: the answer is a
 * JSON 4xx (or a success where the input happens to be acceptable), never a 5xx, never HTML.
 */
describe('bad input through the gateway, for every operation in the OpenAPI document', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let userToken: string;
  beforeAll(async () => {
    // A system of its own: admin calls below must not touch the objects other e2e files work on.
    system = await startSystem({ env: { LOG_LEVEL: 'warn' } });
    api = apiClient(system.baseUrl);
    userToken = (await newSignedInUser(api, 'fz')).token;
  });
  afterAll(() => system.stop());

  const expectClientError = (label: string, response: Awaited<ReturnType<ReturnType<typeof apiClient>>>) => {
    expect(response.status, `${label} → ${response.status} ${response.text.slice(0, 200)}`).toBeLessThan(500);
    expect(response.headers.get('content-type'), label).toContain('application/json');
  };

  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(30);
  });

  it.each(operations)('$method $path refuses bad ids, bodies and queries cleanly', async ({ method, path }) => {
    for (const token of [undefined, userToken, system.adminToken]) {
      const paths = path.includes('{') ? BAD_IDS.map((id) => path.replace(/\{[^}]+\}/g, id)) : [path];
      for (const target of paths) {
        const response = await api(target, { method, token, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });
        expectClientError(`${method} ${target}`, response);
      }
      // A well-formed id of nothing, so no admin call here changes an existing object.
      const concrete = path.replace(/\{[^}]+\}/g, '2147480000');
      if (method !== 'GET' && method !== 'DELETE') {
        for (const [contentType, body] of BAD_BODIES) {
          const response = await api(concrete, { method, token, headers: { 'content-type': contentType }, body });
          expectClientError(`${method} ${concrete} ${body.slice(0, 40)}`, response);
        }
      }
      for (const query of ['limit=0', 'limit=abc', 'limit=101', 'limit=-1', 'before=garbage', 'before=eyJpZCI6Ii0xIn0', 'box=trash', 'favorite=maybe', 'language=cobol', 'user_id=x', 'exercise_id=1e9', 'community=NOT VALID!']) {
        const response = await api(`${concrete}?${query}`, { method, token, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });
        expectClientError(`${method} ${concrete}?${query}`, response);
      }
    }
  });
});

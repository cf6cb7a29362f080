import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from './system.js';

/** The users section of the contract, driven over HTTP through the gateway of a running system. */
describe('users through the gateway', () => {
  let system: System;
  const api = (path: string, init: RequestInit & { json?: unknown; token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    return fetch(`${system.baseUrl}/api/v1${path}`, {
      ...init,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  };
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system.stop());

  it('registers, signs in, reads the status, refreshes and signs out', async () => {
    const name = `e2e_${Date.now().toString(36)}`;
    const registered = await api('/auth/register', { method: 'POST', json: { username: name, email: `${name}@example.test`, password: 'a-good-password' } });
    expect(registered.status).toBe(201);
    const user = await registered.json();
    expect(registered.headers.get('location')).toBe(`/api/v1/users/${user.id}`);
    expect(registered.headers.get('x-request-id')).toBeTruthy();

    const login = await api('/auth/login', { method: 'POST', json: { username: name, password: 'a-good-password' } });
    expect(login.status).toBe(200);
    const tokens = await login.json();

    const status = await api('/auth/status', { token: tokens.access_token });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ id: user.id, username: name, email: `${name}@example.test` });

    const refreshed = await api('/auth/refresh', { method: 'POST', json: { refresh_token: tokens.refresh_token } });
    expect(refreshed.status).toBe(200);
    const pair = await refreshed.json();

    const logout = await api('/auth/logout', { method: 'POST', token: pair.access_token, json: { refresh_token: pair.refresh_token } });
    expect(logout.status).toBe(200);
    expect((await api('/auth/refresh', { method: 'POST', json: { refresh_token: pair.refresh_token } })).status).toBe(401);
  });

  it('answers bad input with JSON 4xx, never a 500 or HTML', async () => {
    const cases: Array<[string, RequestInit, number]> = [
      ['/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' }, 400],
      ['/auth/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415],
      ['/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }, 400],
      ['/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x'.repeat(5000) }) }, 400],
      ['/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"a":"${'x'.repeat(3 * 1024 * 1024)}"}` }, 413],
      ['/auth/login', { method: 'DELETE' }, 405],
      ['/users/abc', {}, 400],
      ['/users/999999', {}, 404],
      ['/users?limit=1000', {}, 400],
      ['/auth/status', { headers: { authorization: 'Bearer x.y.z' } }, 401],
      ['/no/such/thing', {}, 404],
    ];
    for (const [path, init, expected] of cases) {
      const response = await api(path, init);
      expect(response.status, `${init.method ?? 'GET'} ${path}`).toBe(expected);
      expect(response.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      const body = await response.json();
      expect(body.statusCode).toBe(expected);
      expect(typeof body.message).toBe('string');
    }
  });

  it('serves the docs, the merged OpenAPI document and an all-green /health', async () => {
    const health = await fetch(`${system.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).services.users.status).toBe('ok');
    const spec = await (await api('/openapi.json')).json();
    expect(spec.paths).toHaveProperty('/api/v1/auth/login');
    const docs = await fetch(`${system.baseUrl}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });
});

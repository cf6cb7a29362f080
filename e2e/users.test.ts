import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './http.js';
import { startSystem, type System } from './system.js';

/** The users section of the contract, driven over HTTP through the gateway of a running system. */
describe('users through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  it('registers, signs in, reads the status, refreshes and signs out', async () => {
    const name = `e2e_${Date.now().toString(36)}`;
    const registered = await api('/auth/register', { method: 'POST', json: { username: name, email: `${name}@example.test`, password: 'a-good-password' } });
    expect(registered.status).toBe(201);
    const user = registered.body;
    expect(registered.headers.get('location')).toBe(`/api/v1/users/${user.id}`);
    expect(registered.headers.get('x-request-id')).toBeTruthy();

    const login = await api('/auth/login', { method: 'POST', json: { username: name, password: 'a-good-password' } });
    expect(login.status).toBe(200);
    const tokens = login.body;

    const status = await api('/auth/status', { token: tokens.access_token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: user.id, username: name, email: `${name}@example.test` });

    const refreshed = await api('/auth/refresh', { method: 'POST', json: { refresh_token: tokens.refresh_token } });
    expect(refreshed.status).toBe(200);
    const pair = refreshed.body;

    const logout = await api('/auth/logout', { method: 'POST', token: pair.access_token, json: { refresh_token: pair.refresh_token } });
    expect(logout.status).toBe(200);
    expect((await api('/auth/refresh', { method: 'POST', json: { refresh_token: pair.refresh_token } })).status).toBe(401);
  });

  it('keeps a browser session through the gateway: refresh cookie, stale Authorization, two tabs refreshing at once', async () => {
    const name = `e2e_${Date.now().toString(36)}c`;
    await api('/auth/register', { method: 'POST', json: { username: name, email: `${name}@example.test`, password: 'a-good-password' } });
    const login = await api('/auth/login', { method: 'POST', json: { username: name, password: 'a-good-password' } });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^codeyard_refresh=[^;]+; Path=\/api\/v1\/auth;.*HttpOnly; SameSite=Strict; Secure$/);
    const cookie = setCookie.split(';')[0] ?? '';
    // a browser sends its signed-out access token along; the cookie still refreshes, in two tabs at once
    const stale = { cookie, 'x-codeyard-csrf': '1', authorization: 'Bearer expired.or.revoked' };
    const tabs = await Promise.all([1, 2].map(() => api('/auth/refresh', { method: 'POST', headers: stale })));
    expect(tabs.map((tab) => tab.status)).toEqual([200, 200]);
    for (const tab of tabs) expect((await api('/auth/status', { token: tab.body.access_token })).status).toBe(200);
    const latest = tabs[1]?.headers.get('set-cookie')?.split(';')[0] ?? '';
    const logout = await api('/auth/logout', { method: 'POST', headers: { cookie: latest, 'x-codeyard-csrf': '1' } });
    expect(logout.status).toBe(200);
    expect(logout.headers.get('set-cookie')).toMatch(/^codeyard_refresh=; Path=\/api\/v1\/auth; Max-Age=0/);
    expect((await api('/auth/status', { token: tabs[0]?.body.access_token })).status).toBe(401);
  });

  it('propagates a caller-supplied request id end to end', async () => {
    const response = await api('/users?limit=1', { headers: { 'x-request-id': 'e2e-trace-123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('e2e-trace-123');
  });

  it('answers bad input with JSON 4xx, never a 500 or HTML', async () => {
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, { method?: string; headers?: Record<string, string>; body?: string }, number]> = [
      ['/auth/login', { method: 'POST', headers: json, body: 'not json' }, 400],
      ['/auth/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415],
      ['/auth/login', { method: 'POST', headers: json, body: '[]' }, 400],
      ['/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ username: 'x'.repeat(5000) }) }, 400],
      ['/auth/register', { method: 'POST', headers: json, body: `{"a":"${'x'.repeat(3 * 1024 * 1024)}"}` }, 413],
      ['/auth/login', { method: 'DELETE' }, 405],
      ['/users/abc', {}, 400],
      ['/users/999999', {}, 404],
      ['/users?limit=1000', {}, 400],
      ['/auth/status', { headers: { authorization: 'Bearer x.y.z' } }, 401],
      ['/no/such/thing', {}, 404],
    ];
    for (const [path, request, expected] of cases) {
      const response = await api(path, request);
      expect(response.status, `${request.method ?? 'GET'} ${path}`).toBe(expected);
      expect(response.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      expect(response.body.statusCode).toBe(expected);
      expect(typeof response.body.message).toBe('string');
    }
  });

  it('serves the docs, the merged OpenAPI document and a /health that lists users as ok', async () => {
    const health = await api('/health');
    expect(health.body.services.users.status).toBe('ok');
    const spec = await api('/openapi.json');
    expect(spec.body.paths).toHaveProperty('/api/v1/auth/login');
    const docs = await api('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });
});

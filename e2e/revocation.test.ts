import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSignedInUser } from './http.js';
import { startSystem, type System } from './system.js';

/**
 * Issue 7 item 11: a revoked access token stops working in every service within seconds, not at
 * its expiry (decision 002). Each probe needs a user; with a good token it answers 200 or 404.
 */
const PROBES = [
  { service: 'posts', method: 'DELETE', path: '/posts/2147483000' },
  { service: 'votes', method: 'GET', path: '/votes?post_ids=1' },
  { service: 'messages', method: 'GET', path: '/messages' },
  { service: 'exercises', method: 'GET', path: '/exercises' },
  { service: 'scores', method: 'GET', path: '/scores/user' },
] as const;
/** REVOCATION_POLL_MS is 1 s; a few seconds leaves room for a loaded machine. */
const BOUND_MS = 5_000;

describe('revoked access tokens through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  async function expectAcceptedEverywhere(token: string) {
    for (const probe of PROBES) {
      const response = await api(probe.path, { method: probe.method, token });
      expect([200, 404], `${probe.service}: ${response.status} ${response.text}`).toContain(response.status);
    }
  }

  /** Milliseconds until every service refuses `token` with 401 (fails past BOUND_MS). */
  async function msUntilRefusedEverywhere(token: string, revokedAt: number): Promise<number> {
    const pending = new Set<(typeof PROBES)[number]>(PROBES);
    while (pending.size > 0) {
      for (const probe of [...pending]) {
        const response = await api(probe.path, { method: probe.method, token });
        if (response.status === 401) pending.delete(probe);
      }
      if (pending.size > 0 && Date.now() - revokedAt > BOUND_MS) {
        throw new Error(`still accepted after ${BOUND_MS} ms by ${[...pending].map((probe) => probe.service).join(', ')}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    return Date.now() - revokedAt;
  }

  it('refuses a deactivated user\'s unexpired token in every service within seconds', async () => {
    const user = await newSignedInUser(api, 'rv');
    await expectAcceptedEverywhere(user.token);
    const revokedAt = Date.now();
    expect((await api(`/users/${user.id}/deactivate`, { method: 'POST', token: system.adminToken })).status).toBe(200);
    expect(await msUntilRefusedEverywhere(user.token, revokedAt)).toBeLessThanOrEqual(BOUND_MS);
  });

  it('refuses every older token after a password change, and the new login\'s token works', async () => {
    const user = await newSignedInUser(api, 'rp');
    await expectAcceptedEverywhere(user.token);
    const revokedAt = Date.now();
    const changed = await api(`/users/${user.id}`, {
      method: 'PATCH',
      token: user.token,
      json: { password: 'another-good-password', current_password: 'a-good-password' },
    });
    expect(changed.status).toBe(200);
    expect(await msUntilRefusedEverywhere(user.token, revokedAt)).toBeLessThanOrEqual(BOUND_MS);
    const login = await api('/auth/login', { method: 'POST', json: { username: user.username, password: 'another-good-password' } });
    await expectAcceptedEverywhere(login.body.access_token);
  });

  it('refuses the token of a login that signed out, and not the same user\'s other login', async () => {
    const user = await newSignedInUser(api, 'rl');
    const other = await api('/auth/login', { method: 'POST', json: { username: user.username, password: 'a-good-password' } });
    const revokedAt = Date.now();
    expect((await api('/auth/logout', { method: 'POST', token: user.token })).status).toBe(200);
    expect(await msUntilRefusedEverywhere(user.token, revokedAt)).toBeLessThanOrEqual(BOUND_MS);
    await expectAcceptedEverywhere(other.body.access_token);
  });
});

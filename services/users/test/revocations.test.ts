import { describeEachDatabase } from '@codeyard/test-kit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { login, register, signedInAdmin, signedInUser, startUsers, type UsersHarness } from './helpers.js';

/** The revocation feed other services poll (decision 002): what it lists after each way of revoking. */
describeEachDatabase('users: revocation feed', (target) => {
  let harness: UsersHarness;
  let app: UsersHarness['app'];
  let admin: Awaited<ReturnType<typeof signedInAdmin>>;
  beforeAll(async () => {
    harness = await startUsers(target);
    app = harness.app;
    admin = await signedInAdmin(app);
  });
  afterAll(() => harness.close());

  type Entry = { user_id: number; session_id?: string; min_token_version?: number; expires_at: string };
  async function feed(since?: string): Promise<{ now: string; revocations: Entry[] }> {
    const response = await app.inject({ method: 'GET', url: `/revocations${since === undefined ? '' : `?since=${since}`}` });
    expect(response.statusCode).toBe(200);
    return response.json();
  }
  const entriesOf = async (userId: number, since?: string) => (await feed(since)).revocations.filter((entry) => entry.user_id === userId);
  const sessionOf = (accessToken: string) => decodeJwt(accessToken).sid as string;
  const versionOf = (accessToken: string) => decodeJwt(accessToken).tv as number;

  it('lists nothing for a user who only signed in', async () => {
    const user = await signedInUser(app);
    expect(await entriesOf(user.id)).toEqual([]);
  });

  it('lists the login after a logout, until one access-token lifetime after it', async () => {
    const user = await signedInUser(app);
    const before = Date.now();
    expect((await app.inject({ method: 'POST', url: '/auth/logout', headers: user.auth })).statusCode).toBe(200);
    const [entry, ...rest] = await entriesOf(user.id);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ user_id: user.id, session_id: sessionOf(user.tokens.access_token) });
    expect(entry?.min_token_version).toBeUndefined();
    // ACCESS_TOKEN_TTL_SECONDS defaults to 900
    expect(Date.parse(entry?.expires_at ?? '') - before).toBeGreaterThanOrEqual(899_000);
  });

  it('lists the login after a logout with its refresh token', async () => {
    const user = await signedInUser(app);
    await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.tokens.refresh_token } });
    expect(await entriesOf(user.id)).toEqual([expect.objectContaining({ session_id: sessionOf(user.tokens.access_token) })]);
  });

  it('lists every token below the new version after a password change and after a deactivation', async () => {
    const user = await signedInUser(app);
    const patch = await app.inject({
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: user.auth,
      payload: { password: 'another-password-2', current_password: user.password },
    });
    expect(patch.statusCode).toBe(200);
    const version = versionOf(user.tokens.access_token);
    expect(await entriesOf(user.id)).toEqual([expect.objectContaining({ min_token_version: version + 1 })]);
    const fresh = await login(app, { username: user.username, password: 'another-password-2' });
    expect(versionOf(fresh.access_token)).toBe(version + 1);
    expect((await app.inject({ method: 'POST', url: `/users/${user.id}/deactivate`, headers: admin.auth })).statusCode).toBe(200);
    expect((await entriesOf(user.id)).map((entry) => entry.min_token_version)).toEqual([version + 1, version + 2]);
  });

  it('lists every token of a deleted user', async () => {
    const user = await register(app);
    expect((await app.inject({ method: 'DELETE', url: `/users/${user.id}`, headers: admin.auth })).statusCode).toBe(200);
    expect(await entriesOf(user.id)).toEqual([expect.objectContaining({ min_token_version: 2_147_483_647 })]);
  });

  it('answers only what was revoked since the given time', async () => {
    const first = await signedInUser(app);
    await app.inject({ method: 'POST', url: '/auth/logout', headers: first.auth });
    // `since` is inclusive: ask from the millisecond after the answer, once the clock has passed it.
    const since = new Date(Date.parse((await feed()).now) + 1).toISOString();
    while (new Date().toISOString() <= since) await new Promise((done) => setImmediate(done));
    const second = await signedInUser(app);
    await app.inject({ method: 'POST', url: '/auth/logout', headers: second.auth });
    const later = (await feed(since)).revocations.map((entry) => entry.user_id);
    expect(later).toContain(second.id);
    expect(later).not.toContain(first.id);
  });

  it('returns 400 for a since that is not a timestamp', async () => {
    for (const since of ['yesterday', '2026-01-01', "2026-01-01T00:00:00.000Z'--"]) {
      const response = await app.inject({ method: 'GET', url: `/revocations?since=${encodeURIComponent(since)}` });
      expect(response.statusCode, since).toBe(400);
    }
  });
});

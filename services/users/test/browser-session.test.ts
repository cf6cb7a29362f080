import { describeEachDatabase } from '@codeyard/test-kit';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { login, newUser, register, signedInUser, startUsers, type UsersHarness } from './helpers.js';

// Issue 7 item 3 and issue 8: a browser keeps its refresh token in an HttpOnly cookie and always
// sends its (possibly stale) access token; two tabs may refresh with the same cookie at once.
describeEachDatabase('users: browser sessions', (target) => {
  let harness: UsersHarness;
  let app: UsersHarness['app'];
  beforeAll(async () => {
    harness = await startUsers(target);
    app = harness.app;
  });
  afterAll(() => harness.close());

  const CSRF = { 'x-codeyard-csrf': '1' };
  const status = (accessToken: string) =>
    app.inject({ method: 'GET', url: '/auth/status', headers: { authorization: `Bearer ${accessToken}` } });
  const refreshWithCookie = (refreshToken: string, headers: Record<string, string> = CSRF) =>
    app.inject({ method: 'POST', url: '/auth/refresh', headers: { cookie: `theme=dark; codeyard_refresh=${refreshToken}`, ...headers } });
  const cookieOf = (response: Awaited<ReturnType<typeof app.inject>>) => {
    const header = response.headers['set-cookie'];
    return Array.isArray(header) ? header.join('\n') : (header ?? '');
  };

  /** An access token that verifies but has expired: what a browser holds after a nap. */
  async function expiredAccessToken(userId: number, username: string) {
    const key = await importJWK(harness.signingJwk, 'EdDSA');
    return new SignJWT({ username, admin: false, tv: 0 })
      .setProtectedHeader({ alg: 'EdDSA', kid: harness.signingJwk.kid })
      .setIssuer('codeyard-users')
      .setAudience('codeyard')
      .setSubject(String(userId))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
  }

  it.each([
    ['an expired access token', 'expired'],
    ['a signed-out access token', 'signed-out'],
    ['garbage', 'garbage'],
  ])('ignores %s in Authorization on register, login, refresh and logout with a refresh token', async (_label, kind) => {
    const user = await signedInUser(app);
    let stale = 'not a bearer header';
    if (kind === 'expired') stale = `Bearer ${await expiredAccessToken(user.id, user.username)}`;
    if (kind === 'signed-out') {
      const other = await login(app, { username: user.username, password: user.password });
      expect((await app.inject({ method: 'GET', url: '/auth/logout', headers: { authorization: `Bearer ${other.access_token}` } })).statusCode).toBe(200);
      stale = `Bearer ${other.access_token}`;
    }
    const headers = { authorization: stale };
    expect((await app.inject({ method: 'POST', url: '/auth/register', headers, payload: newUser() })).statusCode).toBe(201);
    const signIn = await app.inject({ method: 'POST', url: '/auth/login', headers, payload: { username: user.username, password: user.password } });
    expect(signIn.statusCode).toBe(200);
    const refresh = await app.inject({ method: 'POST', url: '/auth/refresh', headers, payload: { refresh_token: signIn.json().refresh_token } });
    expect(refresh.statusCode).toBe(200);
    const logout = await app.inject({ method: 'POST', url: '/auth/logout', headers, payload: { refresh_token: refresh.json().refresh_token } });
    expect(logout.statusCode).toBe(200);
    expect((await status(refresh.json().access_token)).statusCode).toBe(401);
    // a route that needs the caller still rejects the stale token
    expect((await app.inject({ method: 'GET', url: '/auth/status', headers })).statusCode).toBe(401);
  });

  it('sets the refresh token in an HttpOnly, Secure, SameSite=Strict cookie scoped to the auth path on login and refresh', async () => {
    const user = await register(app);
    const signIn = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } });
    expect(signIn.statusCode).toBe(200);
    const cookie = cookieOf(signIn);
    expect(cookie).toContain(`codeyard_refresh=${signIn.json().refresh_token};`);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    expect(signIn.headers['cache-control']).toBe('no-store');

    const refresh = await refreshWithCookie(signIn.json().refresh_token);
    expect(refresh.statusCode).toBe(200);
    expect(cookieOf(refresh)).toContain(`codeyard_refresh=${refresh.json().refresh_token};`);
    expect((await status(refresh.json().access_token)).statusCode).toBe(200);
  });

  it('refuses the cookie without the CSRF header (403) and changes nothing', async () => {
    const user = await signedInUser(app);
    const forged = await refreshWithCookie(user.tokens.refresh_token, {});
    expect(forged.statusCode).toBe(403);
    expect(forged.json().message).toMatch(/X-Codeyard-CSRF: 1/);
    expect((await refreshWithCookie(user.tokens.refresh_token, { 'x-codeyard-csrf': 'yes' })).statusCode).toBe(403);
    const forgedLogout = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: `codeyard_refresh=${user.tokens.refresh_token}` } });
    expect(forgedLogout.statusCode).toBe(403);
    // the token is neither spent nor revoked
    expect((await status(user.tokens.access_token)).statusCode).toBe(200);
    expect((await refreshWithCookie(user.tokens.refresh_token)).statusCode).toBe(200);
  });

  it('returns 400 for refresh with neither a body token nor a cookie', async () => {
    const response = await app.inject({ method: 'POST', url: '/auth/refresh', headers: CSRF });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual({ refresh_token: 'is required' });
  });

  it('logs out with the cookie alone: the login is revoked and the cookie cleared', async () => {
    const user = await signedInUser(app);
    const logout = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: `codeyard_refresh=${user.tokens.refresh_token}`, ...CSRF } });
    expect(logout.statusCode).toBe(200);
    expect(cookieOf(logout)).toMatch(/^codeyard_refresh=; Path=\/api\/v1\/auth; Max-Age=0;/);
    expect((await status(user.tokens.access_token)).statusCode).toBe(401);
    expect((await refreshWithCookie(user.tokens.refresh_token)).statusCode).toBe(401);
  });

  it('answers two parallel refreshes with the same token with two working pairs of the same login', async () => {
    const user = await signedInUser(app);
    const [first, second] = await Promise.all([refreshWithCookie(user.tokens.refresh_token), refreshWithCookie(user.tokens.refresh_token)]);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.json().refresh_token).not.toBe(second.json().refresh_token);
    for (const pair of [first.json(), second.json()]) {
      expect((await status(pair.access_token)).statusCode).toBe(200);
      expect((await refreshWithCookie(pair.refresh_token)).statusCode).toBe(200);
    }
    // one logout ends the whole login, both branches included
    await app.inject({ method: 'POST', url: '/auth/logout', payload: { refresh_token: user.tokens.refresh_token } });
    expect((await status(first.json().access_token)).statusCode).toBe(401);
    expect((await status(second.json().access_token)).statusCode).toBe(401);
  });

  it('without a grace window, the loser of two parallel refreshes gets 401 and the login is revoked', async () => {
    const strict = await startUsers(target, { REFRESH_REUSE_GRACE_SECONDS: '0' });
    try {
      const user = await signedInUser(strict.app);
      const refresh = () => strict.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } });
      const codes = (await Promise.all([refresh(), refresh()])).map((response) => response.statusCode).sort();
      expect(codes).toEqual([200, 401]);
      const again = await strict.app.inject({ method: 'GET', url: '/auth/status', headers: user.auth });
      expect(again.statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

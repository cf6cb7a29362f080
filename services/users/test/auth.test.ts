import { loadConfig } from '@codeyard/service-kit';
import { describeEachDatabase, testEnv } from '@codeyard/test-kit';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { configSchema } from '../src/config.js';
import { loadSigningKeys } from '../src/domain/signing-keys.js';
import { ADMIN, login, newUser, register, signedInAdmin, signedInUser, startUsers, type UsersHarness } from './helpers.js';

describeEachDatabase('users: auth', (target) => {
  let harness: UsersHarness;
  let app: UsersHarness['app'];
  beforeAll(async () => {
    harness = await startUsers(target);
    app = harness.app;
  });
  afterAll(() => harness.close());

  const status = (authorization?: string) =>
    app.inject({ method: 'GET', url: '/auth/status', headers: authorization === undefined ? {} : { authorization } });

  async function signWith(key: CryptoKey | Uint8Array, header: Record<string, unknown>, claims: Record<string, unknown>, exp = '15m') {
    return new SignJWT({ username: 'mallory', admin: true, tv: 0, ...claims })
      .setProtectedHeader({ alg: 'EdDSA', ...header })
      .setIssuer('codeyard-users')
      .setAudience('codeyard')
      .setSubject(String(claims.sub ?? 1))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(exp)
      .sign(key);
  }

  // register ---------------------------------------------------------------------------------

  it('registers a user: 201, Location, the user object with email and no password', async () => {
    const body = newUser();
    const response = await app.inject({ method: 'POST', url: '/auth/register', payload: body });
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const user = response.json();
    expect(response.headers.location).toBe(`/api/v1/users/${user.id}`);
    expect(user).toEqual({
      id: expect.any(Number),
      username: body.username,
      email: body.email,
      karma: 0,
      active: true,
      admin: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(response.body).not.toContain('password');
  });

  it('returns 409 when the username is taken in any letter case', async () => {
    const first = await register(app);
    const response = await app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: newUser({ username: first.username.toUpperCase() }),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ statusCode: 409, error: 'Conflict', errors: { username: 'is already taken' } });
  });

  it('returns 409 when the email is taken in any letter case', async () => {
    const first = await register(app);
    const response = await app.inject({ method: 'POST', url: '/auth/register', payload: newUser({ email: first.email.toUpperCase() }) });
    expect(response.statusCode).toBe(409);
    expect(response.json().errors).toEqual({ email: 'is already registered' });
  });

  it.each([
    ['a username that is too short', { username: 'ab' }, 'username'],
    ['a username that is too long', { username: 'x'.repeat(33) }, 'username'],
    ['a username with spaces', { username: 'bad name' }, 'username'],
    ['a username with unicode look-alikes', { username: 'аdmin' }, 'username'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a short password', { password: 'short' }, 'password'],
    ['a password over 256 characters', { password: 'p'.repeat(257) }, 'password'],
    ['a number as username', { username: 12345 }, 'username'],
    ['null as email', { email: null }, 'email'],
  ])('returns 400 naming the field for %s', async (_label, override, field) => {
    const attempt: Record<string, unknown> = { ...newUser(), ...override };
    const response = await app.inject({ method: 'POST', url: '/auth/register', payload: attempt });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(Object.keys(response.json().errors)).toContain(field);
    // Nothing was created: the attempt's own username and email (where valid) are still free.
    const fresh = newUser();
    const retry = {
      username: field === 'username' ? fresh.username : attempt.username,
      email: field === 'email' ? fresh.email : attempt.email,
      password: fresh.password,
    };
    const again = await app.inject({ method: 'POST', url: '/auth/register', payload: retry });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ username: retry.username });
  });

  it('returns 400 listing every missing field', async () => {
    const response = await app.inject({ method: 'POST', url: '/auth/register', payload: {} });
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().errors).sort()).toEqual(['email', 'password', 'username']);
  });

  it('returns 400 for malformed JSON, a JSON array, and an empty body', async () => {
    for (const payload of ['not json', '{"username": "x",', '["x"]', '']) {
      const response = await app.inject({
        method: 'POST',
        url: '/auth/register',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode, payload).toBe(400);
      expect(response.headers['content-type']).toContain('application/json');
    }
  });

  it('returns 400 for a __proto__ key (prototype poisoning)', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":"protouser","email":"p@x.test","password":"password-1","__proto__":{"admin":true}}',
    });
    expect(response.statusCode).toBe(400);
  });

  it('returns 415 for a body that is not JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'text/plain' },
      payload: 'username=x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().statusCode).toBe(415);
  });

  it('returns 413 for an oversized body', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { ...newUser(), padding: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  // login ------------------------------------------------------------------------------------

  it('signs in with username (any case) or email and returns a bearer token pair', async () => {
    const user = await register(app);
    for (const credentials of [
      { username: user.username.toUpperCase(), password: user.password },
      { email: user.email, password: user.password },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/auth/login', payload: credentials });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
      });
    }
  });

  it('answers 401 with the same message for an unknown user and a wrong password', async () => {
    const user = await register(app);
    const wrongPassword = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: 'wrong-password' } });
    const unknownUser = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'nobody-here', password: 'wrong-password' } });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    expect(wrongPassword.json().message).toBe(unknownUser.json().message);
  });

  it('returns 400 when neither email nor username is given', async () => {
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { password: 'whatever-1' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('email');
  });

  it('returns 403 when a deactivated user signs in with the right password', async () => {
    const user = await signedInUser(app);
    await app.inject({ method: 'POST', url: `/users/${user.id}/deactivate`, headers: user.auth });
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } });
    expect(response.statusCode).toBe(403);
    const wrong = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: 'not-the-password' } });
    expect(wrong.statusCode).toBe(401);
  });

  // status and token verification ----------------------------------------------------------------

  it('returns the caller on /auth/status', async () => {
    const user = await signedInUser(app);
    const response = await status(user.auth.authorization);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: user.id, username: user.username, email: user.email });
  });

  it('returns 401 without a token, with a malformed header, and with a tampered token', async () => {
    const user = await signedInUser(app);
    const [header, payload, signature] = user.tokens.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, admin: true })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    for (const authorization of [
      undefined,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      `Bearer ${user.tokens.access_token} extra`,
      'Bearer not.a.jwt',
      `Bearer ${header}.${forgedPayload}.${signature}`,
      `Bearer ${header}.${payload}.${flipped}`,
    ]) {
      const response = await status(authorization);
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.json().statusCode).toBe(401);
    }
  });

  it('returns 401 for an expired token', async () => {
    const user = await register(app);
    const key = await importJWK(harness.signingJwk, 'EdDSA');
    const token = await signWith(key as CryptoKey, { kid: harness.signingJwk.kid }, { sub: user.id, username: user.username, admin: false });
    const expired = await new SignJWT({ username: user.username, admin: false, tv: 0 })
      .setProtectedHeader({ alg: 'EdDSA', kid: harness.signingJwk.kid })
      .setIssuer('codeyard-users')
      .setAudience('codeyard')
      .setSubject(String(user.id))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    expect((await status(`Bearer ${token}`)).statusCode).toBe(200);
    const response = await status(`Bearer ${expired}`);
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toMatch(/expired/i);
  });

  it('returns 401 for a token with alg "none"', async () => {
    const user = await register(app);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      sub: String(user.id),
      username: user.username,
      admin: true,
      tv: 0,
      iss: 'codeyard-users',
      aud: 'codeyard',
      iat: now,
      exp: now + 600,
    })}.`;
    expect((await status(`Bearer ${unsigned}`)).statusCode).toBe(401);
  });

  it('returns 401 for a token signed by another key, even with our kid', async () => {
    const user = await register(app);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await signWith(privateKey, { kid: harness.signingJwk.kid }, { sub: user.id, username: user.username });
    expect((await status(`Bearer ${token}`)).statusCode).toBe(401);
  });

  it('returns 401 for an HMAC token keyed with the public key (algorithm confusion)', async () => {
    const user = await register(app);
    const publicJwk = (await (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()).keys[0];
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({ username: user.username, admin: true, tv: 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('codeyard-users')
      .setAudience('codeyard')
      .setSubject(String(user.id))
      .setExpirationTime('5m')
      .sign(secret);
    expect((await status(`Bearer ${token}`)).statusCode).toBe(401);
  });

  it("stops accepting a deactivated user's access token at once", async () => {
    const user = await signedInUser(app);
    expect((await status(user.auth.authorization)).statusCode).toBe(200);
    const admin = await signedInAdmin(app);
    const deactivate = await app.inject({ method: 'POST', url: `/users/${user.id}/deactivate`, headers: admin.auth });
    expect(deactivate.statusCode).toBe(200);
    expect([401, 403]).toContain((await status(user.auth.authorization)).statusCode);
    const refresh = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } });
    expect(refresh.statusCode).toBe(401);
  });

  // refresh ------------------------------------------------------------------------------------

  it('rotates refresh tokens: a new pair works and the old refresh token stops working', async () => {
    const user = await signedInUser(app);
    const first = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } });
    expect(first.statusCode).toBe(200);
    const pair = first.json();
    expect(pair.refresh_token).not.toBe(user.tokens.refresh_token);
    expect((await status(`Bearer ${pair.access_token}`)).statusCode).toBe(200);
    const second = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: pair.refresh_token } });
    expect(second.statusCode).toBe(200);
  });

  it("treats reuse of a spent refresh token after the grace window as theft: 401 and that login's tokens are revoked", async () => {
    const user = await signedInUser(app);
    const rotated = (await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } })).json();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 11_000);
    let reuse: Awaited<ReturnType<typeof app.inject>>;
    try {
      reuse = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } });
    } finally {
      vi.useRealTimers();
    }
    expect(reuse.statusCode).toBe(401);
    const afterTheft = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: rotated.refresh_token } });
    expect(afterTheft.statusCode).toBe(401);
    expect((await status(`Bearer ${rotated.access_token}`)).statusCode).toBe(401);
    // another login of the same user is untouched
    const other = await login(app, { username: user.username, password: user.password });
    expect((await status(`Bearer ${other.access_token}`)).statusCode).toBe(200);
  });

  it('returns 401 for an unknown refresh token and 400 for a missing one', async () => {
    expect((await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: 'nope' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/auth/refresh', payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: 42 } })).statusCode).toBe(400);
  });

  it('expires refresh tokens after their lifetime', async () => {
    const short = await startUsers(target, { REFRESH_TOKEN_TTL_SECONDS: '60' });
    try {
      const user = await signedInUser(short.app);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      try {
        const response = await short.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } });
        expect(response.statusCode).toBe(401);
        expect(response.json().message).toMatch(/expired/);
      } finally {
        vi.useRealTimers();
      }
    } finally {
      await short.close();
    }
  });

  // logout -------------------------------------------------------------------------------------

  it('logs out with a refresh token: that refresh token is revoked', async () => {
    const user = await signedInUser(app);
    const response = await app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: user.auth,
      payload: { refresh_token: user.tokens.refresh_token },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: expect.any(String) });
    const refresh = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.tokens.refresh_token } });
    expect(refresh.statusCode).toBe(401);
  });

  it('logs out the current login with GET or an empty POST, and the access token stops working', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const user = await signedInUser(app);
      const response = await app.inject({ method, url: '/auth/logout', headers: user.auth });
      expect(response.statusCode).toBe(200);
      expect((await status(user.auth.authorization)).statusCode).toBe(401);
    }
  });

  it('returns 401 for logout without a token', async () => {
    expect((await app.inject({ method: 'POST', url: '/auth/logout' })).statusCode).toBe(401);
  });

  // JWKS ---------------------------------------------------------------------------------------

  it('publishes the previous public key during a rotation, and accepts tokens it signed until they expire', async () => {
    const previous = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const previousPublic = { ...(await exportJWK(previous.publicKey)), kid: 'rotated-out-1' };
    const rotating = await startUsers(target, { JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([previousPublic]) });
    try {
      const jwks = (await rotating.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      expect(jwks.keys.map((key: { kid: string }) => key.kid)).toEqual([rotating.signingJwk.kid, 'rotated-out-1']);
      expect(JSON.stringify(jwks)).not.toContain('"d"');
      const admin = await signedInAdmin(rotating.app);
      const oldToken = await new SignJWT({ username: ADMIN.username, admin: true, tv: 0 })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'rotated-out-1' })
        .setIssuer('codeyard-users')
        .setAudience('codeyard')
        .setSubject(String(admin.id))
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(previous.privateKey);
      const response = await rotating.app.inject({ method: 'GET', url: '/auth/status', headers: { authorization: `Bearer ${oldToken}` } });
      expect(response.statusCode).toBe(200);
    } finally {
      await rotating.close();
    }
  });

  it('refuses to start with a private key among the previous public keys', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const leaked = { ...(await exportJWK(privateKey)), kid: 'oops' };
    const config = loadConfig(
      configSchema,
      testEnv({ JWT_PRIVATE_KEY: JSON.stringify(harness.signingJwk), JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify(leaked) }),
    );
    await expect(loadSigningKeys(config)).rejects.toThrow(/private part/);
  });

  it('refuses an access token without exp, even one signed with the current key', async () => {
    const key = await importJWK(harness.signingJwk, 'EdDSA');
    const admin = await signedInAdmin(app);
    const forever = await new SignJWT({ username: ADMIN.username, admin: true, tv: 0 })
      .setProtectedHeader({ alg: 'EdDSA', kid: harness.signingJwk.kid })
      .setIssuer('codeyard-users')
      .setAudience('codeyard')
      .setSubject(String(admin.id))
      .setIssuedAt()
      .sign(key);
    expect((await status(`Bearer ${forever}`)).statusCode).toBe(401);
  });

  it('publishes the public signing key and nothing private', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const { keys } = response.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: harness.signingJwk.kid });
    expect(keys[0]).not.toHaveProperty('d');
    await exportJWK((await generateKeyPair('EdDSA')).publicKey); // the key type is one jose can use
  });
});

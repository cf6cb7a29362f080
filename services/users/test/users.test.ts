import { serviceBearer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '@codeyard/test-kit';
import { ADMIN, login, newUser, register, signedInAdmin, signedInUser, startUsers, type UsersHarness } from './helpers.js';

describeEachDatabase('users: accounts and karma', (target) => {
  let harness: UsersHarness;
  let app: UsersHarness['app'];
  let admin: Awaited<ReturnType<typeof signedInAdmin>>;
  beforeAll(async () => {
    harness = await startUsers(target);
    app = harness.app;
    admin = await signedInAdmin(app);
  });
  afterAll(() => harness.close());

  // reading ------------------------------------------------------------------------------------

  it('shows a user to anyone, without the email', async () => {
    const user = await register(app);
    const response = await app.inject({ method: 'GET', url: `/users/${user.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: user.id,
      username: user.username,
      karma: 0,
      active: true,
      admin: false,
      created_at: expect.any(String),
    });
  });

  it('shows the email to the user themself and to admins only', async () => {
    const user = await signedInUser(app);
    const other = await signedInUser(app);
    const asSelf = await app.inject({ method: 'GET', url: `/users/${user.id}`, headers: user.auth });
    const asAdmin = await app.inject({ method: 'GET', url: `/users/${user.id}`, headers: admin.auth });
    const asOther = await app.inject({ method: 'GET', url: `/users/${user.id}`, headers: other.auth });
    expect(asSelf.json().email).toBe(user.email);
    expect(asAdmin.json().email).toBe(user.email);
    expect(asOther.json()).not.toHaveProperty('email');
  });

  it('returns 404 for an unknown user and 400 for an id that is not a positive integer', async () => {
    const missing = await app.inject({ method: 'GET', url: '/users/999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'User 999999 does not exist' });
    for (const id of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999']) {
      const response = await app.inject({ method: 'GET', url: `/users/${id}` });
      expect(response.statusCode, id).toBe(400);
      expect(response.json().errors).toHaveProperty('id');
    }
  });

  it('lists users newest first and pages with a Link header', async () => {
    const created = [await register(app), await register(app), await register(app)];
    const first = await app.inject({ method: 'GET', url: '/users?limit=2' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.map((u: { id: number }) => u.id)).toEqual([created[2]?.id, created[1]?.id]);
    const link = first.headers.link as string;
    expect(link).toMatch(/^<\/users\?limit=2&before=[\w-]+>; rel="next"$/);
    const next = link.slice(1, link.indexOf('>'));
    const page2 = (await app.inject({ method: 'GET', url: next })).json();
    expect(page2[0].id).toBe(created[0]?.id);
  });

  it('puts the public /api/v1 prefix into Link when the gateway says so', async () => {
    await register(app);
    await register(app);
    const response = await app.inject({ method: 'GET', url: '/users?limit=1', headers: { 'x-forwarded-prefix': '/api/v1' } });
    expect(response.headers.link).toMatch(/^<\/api\/v1\/users\?limit=1&before=/);
  });

  it('filters by username case-insensitively', async () => {
    const user = await register(app);
    const response = await app.inject({ method: 'GET', url: `/users?username=${user.username.toUpperCase()}` });
    expect(response.json().map((u: { id: number }) => u.id)).toEqual([user.id]);
  });

  it.each(['0', '101', '-5', 'abc', '2.5', ''])('returns 400 for limit=%s', async (limit) => {
    const response = await app.inject({ method: 'GET', url: `/users?limit=${limit}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('limit');
  });

  it('returns 400 for a malformed cursor', async () => {
    for (const before of [
      'garbage',
      Buffer.from('{"id":"x"}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('{"id":2147483648}').toString('base64url'),
      // a real cursor with bytes appended: base64 decoding would silently drop them
      `${Buffer.from('{"id":5}').toString('base64url')}x`,
      `${Buffer.from('{"id":5}').toString('base64url')}%00`,
    ]) {
      const response = await app.inject({ method: 'GET', url: `/users?before=${before}` });
      expect(response.statusCode, before).toBe(400);
      expect(response.json().errors).toHaveProperty('before');
    }
  });

  // batch lookup -----------------------------------------------------------------------------

  it('looks up several users by id in the order asked, leaving out unknown ids', async () => {
    const [a, b] = [await register(app), await register(app)];
    const response = await app.inject({ method: 'GET', url: `/users?ids=${b.id},999998,${a.id},${b.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { id: b.id, username: b.username, karma: 0, active: true, admin: false, created_at: expect.any(String) },
      { id: a.id, username: a.username, karma: 0, active: true, admin: false, created_at: expect.any(String) },
    ]);
  });

  it('shows the email in a batch lookup only to the user themself', async () => {
    const me = await signedInUser(app);
    const other = await register(app);
    const response = await app.inject({ method: 'GET', url: `/users?ids=${me.id},${other.id}`, headers: me.auth });
    const [mine, theirs] = response.json();
    expect(mine.email).toBe(me.email);
    expect(theirs).not.toHaveProperty('email');
  });

  it('looks up 100 ids in one request, ids up to the largest 32-bit id', async () => {
    const user = await register(app);
    const ids = [user.id, ...Array.from({ length: 99 }, (_, i) => 2_147_483_647 - i)];
    const response = await app.inject({ method: 'GET', url: `/users?ids=${ids.join(',')}` });
    expect(response.statusCode).toBe(200);
    expect(response.json().map((u: { id: number }) => u.id)).toEqual([user.id]);
  });

  it.each([
    ['an empty list', 'ids='],
    ['101 ids', `ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`],
    ['an id beyond 32 bits', 'ids=1,2147483648'],
    ['a word', 'ids=1,abc'],
    ['a trailing comma', 'ids=1,'],
    ['a zero', 'ids=0'],
    ['ids with a cursor', `ids=1&before=${Buffer.from('{"id":5}').toString('base64url')}`],
    ['ids with a username', 'ids=1&username=someone'],
  ])('returns 400 for a batch lookup with %s', async (_label, query) => {
    const response = await app.inject({ method: 'GET', url: `/users?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('ids');
  });

  // admin create -------------------------------------------------------------------------------

  it('lets an admin create a user, admin or not', async () => {
    const body = { ...newUser(), admin: true };
    const response = await app.inject({ method: 'POST', url: '/users', headers: admin.auth, payload: body });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/api/v1/users/${response.json().id}`);
    expect(response.json()).toMatchObject({ username: body.username, email: body.email, admin: true });
    const tokens = await login(app, { username: body.username, password: body.password });
    expect(tokens.access_token).toBeTruthy();
  });

  it('returns 403 to a non-admin and 401 to an anonymous caller creating a user', async () => {
    const user = await signedInUser(app);
    const asUser = await app.inject({ method: 'POST', url: '/users', headers: user.auth, payload: newUser() });
    expect(asUser.statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'POST', url: '/users', payload: newUser() });
    expect(anonymous.statusCode).toBe(401);
  });

  it('returns 409 when an admin creates a user with a taken email', async () => {
    const existing = await register(app);
    const response = await app.inject({ method: 'POST', url: '/users', headers: admin.auth, payload: newUser({ email: existing.email }) });
    expect(response.statusCode).toBe(409);
  });

  // PUT ---------------------------------------------------------------------------------------

  it('lets users replace their own username and email; re-saving their own email is fine', async () => {
    const user = await signedInUser(app);
    const renamed = newUser().username;
    const response = await app.inject({
      method: 'PUT',
      url: `/users/${user.id}`,
      headers: user.auth,
      payload: { username: renamed, email: user.email.toUpperCase() },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ username: renamed, email: user.email.toUpperCase() });
  });

  it("returns 403 when replacing someone else's account and 409 for a taken username", async () => {
    const user = await signedInUser(app);
    const other = await register(app);
    const foreign = await app.inject({ method: 'PUT', url: `/users/${other.id}`, headers: user.auth, payload: { username: 'x_new_name', email: 'x@new.test' } });
    expect(foreign.statusCode).toBe(403);
    const taken = await app.inject({
      method: 'PUT',
      url: `/users/${user.id}`,
      headers: user.auth,
      payload: { username: other.username.toUpperCase(), email: user.email },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().errors).toEqual({ username: 'is already taken' });
    const unchanged = await app.inject({ method: 'GET', url: `/users/${user.id}` });
    expect(unchanged.json().username).toBe(user.username);
  });

  it('lets an admin replace any account, 404 for an unknown one, 400 for missing fields', async () => {
    const user = await register(app);
    const ok = await app.inject({ method: 'PUT', url: `/users/${user.id}`, headers: admin.auth, payload: { username: newUser().username, email: user.email } });
    expect(ok.statusCode).toBe(200);
    const missing = await app.inject({ method: 'PUT', url: '/users/999999', headers: admin.auth, payload: { username: 'someone_x', email: 's@x.test' } });
    expect(missing.statusCode).toBe(404);
    const partial = await app.inject({ method: 'PUT', url: `/users/${user.id}`, headers: admin.auth, payload: { username: 'only_name' } });
    expect(partial.statusCode).toBe(400);
  });

  // PATCH --------------------------------------------------------------------------------------

  it('changes the password with the current one, and signs out every login', async () => {
    const user = await signedInUser(app);
    const response = await app.inject({
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: user.auth,
      payload: { password: 'brand-new-password', current_password: user.password },
    });
    expect(response.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/auth/status', headers: user.auth })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: 'brand-new-password' } })).statusCode).toBe(200);
  });

  it('refuses a password change without the current password (400) or with a wrong one (403)', async () => {
    const user = await signedInUser(app);
    const missing = await app.inject({ method: 'PATCH', url: `/users/${user.id}`, headers: user.auth, payload: { password: 'another-password' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toHaveProperty('current_password');
    const wrong = await app.inject({
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: user.auth,
      payload: { password: 'another-password', current_password: 'not-my-password' },
    });
    expect(wrong.statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })).statusCode).toBe(200);
  });

  it("lets an admin reset another user's password without the current one", async () => {
    const user = await register(app);
    const response = await app.inject({ method: 'PATCH', url: `/users/${user.id}`, headers: admin.auth, payload: { password: 'reset-by-admin' } });
    expect(response.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: 'reset-by-admin' } })).statusCode).toBe(200);
  });

  it('patches the username alone, 409 when taken, 400 for an empty patch, 403 for others', async () => {
    const user = await signedInUser(app);
    const other = await register(app);
    const renamed = newUser().username;
    const ok = await app.inject({ method: 'PATCH', url: `/users/${user.id}`, headers: user.auth, payload: { username: renamed } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().username).toBe(renamed);
    const taken = await app.inject({ method: 'PATCH', url: `/users/${user.id}`, headers: user.auth, payload: { email: other.email } });
    expect(taken.statusCode).toBe(409);
    const empty = await app.inject({ method: 'PATCH', url: `/users/${user.id}`, headers: user.auth, payload: {} });
    expect(empty.statusCode).toBe(400);
    const foreign = await app.inject({ method: 'PATCH', url: `/users/${other.id}`, headers: user.auth, payload: { username: 'hijacked' } });
    expect(foreign.statusCode).toBe(403);
  });

  // DELETE -------------------------------------------------------------------------------------

  it('lets an admin delete a user; then it is 404', async () => {
    const user = await register(app);
    const response = await app.inject({ method: 'DELETE', url: `/users/${user.id}`, headers: admin.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: `User ${user.id} deleted` });
    expect((await app.inject({ method: 'GET', url: `/users/${user.id}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/users/${user.id}`, headers: admin.auth })).statusCode).toBe(404);
  });

  it('returns 403 when a non-admin deletes a user, and the user stays', async () => {
    const user = await signedInUser(app);
    const other = await register(app);
    expect((await app.inject({ method: 'DELETE', url: `/users/${other.id}`, headers: user.auth })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/users/${user.id}`, headers: user.auth })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/users/${other.id}` })).statusCode).toBe(200);
  });

  it('does not let an admin delete their own account', async () => {
    expect((await app.inject({ method: 'DELETE', url: `/users/${admin.id}`, headers: admin.auth })).statusCode).toBe(403);
  });

  // deactivate / activate --------------------------------------------------------------------

  it('deactivates oneself: active false, the token stops working, login is 403', async () => {
    const user = await signedInUser(app);
    const response = await app.inject({ method: 'POST', url: `/users/${user.id}/deactivate`, headers: user.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: user.id, active: false });
    expect([401, 403]).toContain((await app.inject({ method: 'GET', url: '/auth/status', headers: user.auth })).statusCode);
    expect((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })).statusCode).toBe(403);
  });

  it("returns 403 when deactivating someone else's account", async () => {
    const user = await signedInUser(app);
    const other = await register(app);
    expect((await app.inject({ method: 'POST', url: `/users/${other.id}/deactivate`, headers: user.auth })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/users/${other.id}` })).json().active).toBe(true);
  });

  it('lets only an admin activate an account again', async () => {
    const user = await signedInUser(app);
    const helper = await signedInUser(app);
    await app.inject({ method: 'POST', url: `/users/${user.id}/deactivate`, headers: admin.auth });
    expect((await app.inject({ method: 'POST', url: `/users/${user.id}/activate`, headers: helper.auth })).statusCode).toBe(403);
    const response = await app.inject({ method: 'POST', url: `/users/${user.id}/activate`, headers: admin.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json().active).toBe(true);
    expect((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/users/999999/activate', headers: admin.auth })).statusCode).toBe(404);
  });

  // karma --------------------------------------------------------------------------------------

  it('changes karma for a service credential and for an admin', async () => {
    const user = await register(app);
    const service = { authorization: await serviceBearer('votes') };
    const up = await app.inject({ method: 'POST', url: `/users/${user.id}/karma`, headers: service, payload: { delta: 1 } });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ id: user.id, karma: 1 });
    const down = await app.inject({ method: 'POST', url: `/users/${user.id}/karma`, headers: admin.auth, payload: { delta: -3 } });
    expect(down.json()).toEqual({ id: user.id, karma: -2 });
    expect((await app.inject({ method: 'GET', url: `/users/${user.id}` })).json().karma).toBe(-2);
  });

  it('applies a karma change with an Idempotency-Key exactly once', async () => {
    const user = await register(app);
    const headers = { authorization: await serviceBearer('votes'), 'idempotency-key': 'event-42' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => app.inject({ method: 'POST', url: `/users/${user.id}/karma`, headers, payload: { delta: 1 } })),
    );
    for (const response of results) expect(response.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/users/${user.id}` })).json().karma).toBe(1);
    // the same key from an admin is another event
    const other = await app.inject({
      method: 'POST',
      url: `/users/${user.id}/karma`,
      headers: { ...admin.auth, 'idempotency-key': 'event-42' },
      payload: { delta: 1 },
    });
    expect(other.json().karma).toBe(2);
  });

  it('refuses karma changes from users (403) and anonymous callers (401)', async () => {
    const user = await signedInUser(app);
    const target = await register(app);
    expect((await app.inject({ method: 'POST', url: `/users/${target.id}/karma`, headers: user.auth, payload: { delta: 1 } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/users/${target.id}/karma`, payload: { delta: 1 } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/users/${target.id}` })).json().karma).toBe(0);
  });

  it('refuses karma changes (401) from any service but votes, e.g. an escaped eval', async () => {
    const target = await register(app);
    for (const service of ['eval', 'exercises', 'scores']) {
      const headers = { authorization: await serviceBearer(service) };
      const response = await app.inject({ method: 'POST', url: `/users/${target.id}/karma`, headers, payload: { delta: 1 } });
      expect(response.statusCode, service).toBe(401);
      expect(response.json().message, service).toBe(`Credentials of the ${service} service are not accepted here`);
    }
    expect((await app.inject({ method: 'GET', url: `/users/${target.id}` })).json().karma).toBe(0);
  });

  it('refuses a credential that names votes but is signed with another service\'s key', async () => {
    const target = await register(app);
    for (const signer of ['exercises', 'eval']) {
      const headers = { authorization: await serviceBearer('votes', { signedBy: signer }) };
      const response = await app.inject({ method: 'POST', url: `/users/${target.id}/karma`, headers, payload: { delta: 1 } });
      expect(response.statusCode, signer).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: `/users/${target.id}` })).json().karma).toBe(0);
  });

  it.each([[0], [1.5], ['1'], [null], [10_000_000]])('returns 400 for delta %s', async (delta) => {
    const user = await register(app);
    const response = await app.inject({ method: 'POST', url: `/users/${user.id}/karma`, headers: admin.auth, payload: { delta } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('delta');
  });

  it('returns 404 for karma of an unknown user', async () => {
    const response = await app.inject({ method: 'POST', url: '/users/999999/karma', headers: admin.auth, payload: { delta: 1 } });
    expect(response.statusCode).toBe(404);
  });

  // the service basics -----------------------------------------------------------------------------

  it('answers ping, health, ready, metrics and openapi', async () => {
    expect((await app.inject({ method: 'GET', url: '/ping' })).json()).toEqual({ status: 'success', message: 'pong!' });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'ok', service: 'users' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('http_requests_total');
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/auth/register', '/users/{id}', '/users/{id}/karma', '/.well-known/jwks.json']));
    expect(spec.paths['/auth/register'].post.responses).toHaveProperty('201');
  });

  it('answers a wrong method with a JSON 405 and Allow, an unknown route with a JSON 404', async () => {
    const wrong = await app.inject({ method: 'DELETE', url: '/auth/register' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    const put = await app.inject({ method: 'POST', url: '/users/1' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']);
    const unknown = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('Not Found');
  });

  it('has the bootstrap admin from ADMIN_EMAIL/ADMIN_PASSWORD', async () => {
    const status = await app.inject({ method: 'GET', url: '/auth/status', headers: admin.auth });
    expect(status.json()).toMatchObject({ username: ADMIN.username, email: ADMIN.email, admin: true });
  });
});

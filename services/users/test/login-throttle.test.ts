import { describeEachDatabase } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { register, startUsers, type UsersHarness } from './helpers.js';

// Issue 7 item 1: failed sign-ins are throttled per account, whatever IP they come from.
describeEachDatabase('users: failed sign-in throttle', (target) => {
  let harness: UsersHarness;
  let app: UsersHarness['app'];
  beforeAll(async () => {
    harness = await startUsers(target, { LOGIN_FAILURE_LIMIT: '3', LOGIN_FAILURE_WINDOW_SECONDS: '600' });
    app = harness.app;
  });
  afterAll(() => harness.close());

  const signIn = (payload: Record<string, string>, remoteAddress = '192.0.2.1') =>
    app.inject({ method: 'POST', url: '/auth/login', payload, remoteAddress });

  it('answers 429 with Retry-After after too many failures for one account, even with the right password and from new IPs', async () => {
    const user = await register(app);
    for (let i = 0; i < 3; i++) expect((await signIn({ username: user.username, password: 'wrong-password' }, `198.51.100.${i}`)).statusCode).toBe(401);
    // by email this time: it is the same account
    const locked = await signIn({ email: user.email, password: user.password }, '203.0.113.50');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
    expect(locked.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // another account is not affected
    const other = await register(app);
    expect((await signIn({ username: other.username, password: other.password })).statusCode).toBe(200);
  });

  it('opens again when the window has passed', async () => {
    const user = await register(app);
    for (let i = 0; i < 3; i++) await signIn({ username: user.username, password: 'wrong-password' });
    expect((await signIn({ username: user.username, password: user.password })).statusCode).toBe(429);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 601_000);
    try {
      expect((await signIn({ username: user.username, password: user.password })).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets failures after a successful sign-in', async () => {
    const user = await register(app);
    for (let i = 0; i < 2; i++) await signIn({ username: user.username, password: 'wrong-password' });
    expect((await signIn({ username: user.username, password: user.password })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await signIn({ username: user.username, password: 'wrong-password' })).statusCode).toBe(401);
    expect((await signIn({ username: user.username, password: user.password })).statusCode).toBe(200);
  });

  it('throttles an unknown name the same way, so a 429 does not tell which names exist', async () => {
    const name = `ghost${Date.now()}`;
    for (let i = 0; i < 3; i++) expect((await signIn({ username: name, password: 'whatever-1' })).statusCode).toBe(401);
    expect((await signIn({ username: name.toUpperCase(), password: 'whatever-1' })).statusCode).toBe(429);
  });

  it('counts concurrent failures without losing any and without a 500', async () => {
    const user = await register(app);
    const attempts = await Promise.all(Array.from({ length: 6 }, () => signIn({ username: user.username, password: 'wrong-password' })));
    for (const attempt of attempts) expect([401, 429]).toContain(attempt.statusCode);
    expect((await signIn({ username: user.username, password: user.password })).statusCode).toBe(429);
  });
});

import { loadConfig } from '@codeyard/service-kit';
import { createTestIssuer, serviceBearer, testEnv } from '@codeyard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

describe('eval over HTTP', () => {
  let app: Awaited<ReturnType<typeof buildApp>>['app'];
  let userAuth: { authorization: string };
  beforeAll(async () => {
    const issuer = await createTestIssuer();
    ({ app } = await buildApp(loadConfig(configSchema, testEnv({ EVAL_WORKERS: '1', EVAL_QUEUE_LIMIT: '1' })), {
      accessTokenKeys: issuer.keys,
    }));
    userAuth = { authorization: await issuer.bearer({ id: 7, username: 'grace' }) };
  }, 120_000);
  afterAll(() => app.close());

  const sum = {
    language: 'javascript',
    entrypoint: 'sum',
    tests: [
      { args: [1, 2], expected: 3 },
      { args: [-1, 1], expected: 0 },
    ],
  };

  it('grades a correct program for a signed-in user', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: { ...sum, code: 'function sum(a, b) { return a + b; }' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'passed', passed: 2, total: 2, stdout: '' });
  });

  it('reports which test failed, with expected and actual', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: { authorization: await serviceBearer('exercises') },
      payload: { ...sum, code: 'function sum(a, b) { console.log("hi"); return a === 1 ? a - b : a + b; }' },
    });
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ status: 'failed', passed: 1, total: 2 });
    expect(result.results[0]).toMatchObject({ name: 'test 1', status: 'failed', expected: 3, actual: -1 });
    expect(result.stdout).toContain('hi');
  });

  it('answers an infinite loop with status timeout in a 200, within its limit', async () => {
    const started = Date.now();
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: { ...sum, code: 'function sum() { while (true) {} }', limits: { time_ms: 500 } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('returns 401 without a token', async () => {
    const response = await app.inject({ method: 'POST', url: '/eval', payload: { ...sum, code: 'function sum(a,b){return a+b}' } });
    expect(response.statusCode).toBe(401);
  });

  it.each([
    ['an unknown language', { language: 'cobol' }],
    ['limits above the maximum', { limits: { time_ms: 60_000 } }],
    ['no tests', { tests: [] }],
    ['an entrypoint that is not an identifier', { entrypoint: 'sum; process.exit()' }],
    ['code that is not a string', { code: 42 }],
  ])('returns 400 for %s', async (_label, override) => {
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: { ...sum, code: 'function sum(a,b){return a+b}', ...override },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().statusCode).toBe(400);
  });

  it('answers 503 with Retry-After when the queue is full, and keeps serving', async () => {
    const slow = {
      ...sum,
      code: 'function sum() { const end = Date.now() + 400; while (Date.now() < end) {} return 3; }',
      tests: [{ args: [], expected: 3 }],
    };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => app.inject({ method: 'POST', url: '/eval', headers: userAuth, payload: slow })),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    const busy = responses.find((r) => r.statusCode === 503);
    expect(Number(busy?.headers['retry-after'])).toBeGreaterThan(0);
    const after = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: { ...sum, code: 'function sum(a,b){return a+b}' },
    });
    expect(after.json().status).toBe('passed');
  });

  it('returns 400 when a user asks for more time or memory than the defaults, and lets exercises do it', async () => {
    const payload = { ...sum, code: 'function sum(a, b) { return a + b; }' };
    for (const limits of [{ time_ms: 2_001 }, { memory_mb: 65 }]) {
      const response = await app.inject({ method: 'POST', url: '/eval', headers: userAuth, payload: { ...payload, limits } });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.limits).toBe('at most time_ms 2000 and memory_mb 64');
    }
    const lower = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: { ...payload, limits: { time_ms: 1_000 } },
    });
    expect(lower.json().status).toBe('passed');
    const otherService = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: { authorization: await serviceBearer('votes') },
      payload: { ...payload, limits: { time_ms: 5_000 } },
    });
    // eval accepts no credential but exercises' (and none can write anything here).
    expect(otherService.statusCode).toBe(401);
    const posing = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: { authorization: await serviceBearer('exercises', { signedBy: 'votes' }) },
      payload: { ...payload, limits: { time_ms: 5_000 } },
    });
    expect(posing.statusCode).toBe(401);
    const exercises = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: { authorization: await serviceBearer('exercises') },
      payload: { ...payload, limits: { time_ms: 5_000, memory_mb: 256 } },
    });
    expect(exercises.statusCode).toBe(200);
    expect(exercises.json().status).toBe('passed');
  });

  it('returns only the output printed up to the end of test stdout_tests', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: {
        ...sum,
        code: 'console.log("loaded"); function sum(a, b) { console.log("args", a, b); return a + b; }',
        tests: [...sum.tests, { args: [40, 2], expected: 42 }],
        stdout_tests: 2,
      },
    });
    expect(response.json()).toMatchObject({ status: 'passed', stdout: 'loaded\nargs 1 2\nargs -1 1\n' });
  });

  it('cuts a huge return value, message and output to a few KiB with a visible mark', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: {
        language: 'javascript',
        entrypoint: 'big',
        code: 'function big(n) { console.log("o".repeat(20000)); if (n === 2) throw new Error("m".repeat(20000)); return "a".repeat(n); }',
        tests: [
          { args: [100_000], expected: 'short' },
          { args: [2], expected: 'short' },
        ],
      },
    });
    const result = response.json();
    expect(result.results[0].actual).toMatch(/^"a{4095}… \[truncated: 100002 bytes in all\]$/);
    expect(result.results[1].message).toMatch(/^Error: m{4089}… \[truncated: \d+ bytes in all\]$/);
    expect(result.stdout).toMatch(/^o{8192}… \[truncated: 40002 bytes in all\]$/);
  });

  it('returns 400 for arguments or expected values nested deeper than 64 levels', async () => {
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    for (const test of [`{"args":[${deep}],"expected":1}`, `{"args":[],"expected":${deep}}`]) {
      const response = await app.inject({
        method: 'POST',
        url: '/eval',
        headers: { ...userAuth, 'content-type': 'application/json' },
        payload: `{"language":"javascript","entrypoint":"sum","code":"function sum() { return 1 }","tests":[${test}]}`,
      });
      expect(response.statusCode).toBe(400);
      expect(JSON.stringify(response.json().errors)).toMatch(/64 levels/);
    }
  });

  it('answers a return value nested thousands of levels deep with an error result, and keeps serving', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: {
        ...sum,
        code: 'function sum() { let v = 1; for (let i = 0; i < 5000; i++) v = [v]; return v }',
        tests: [{ args: [], expected: 1 }],
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().results[0], response.body.slice(0, 500)).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/nest/),
    });
    const after = await app.inject({
      method: 'POST',
      url: '/eval',
      headers: userAuth,
      payload: { ...sum, code: 'function sum(a,b){return a+b}' },
    });
    expect(after.json().status).toBe('passed');
  });

  it('refuses EVAL_QUEUE_LIMIT=0 at boot, naming the variable', () => {
    expect(() => loadConfig(configSchema, testEnv({ EVAL_QUEUE_LIMIT: '0' }))).toThrow(/EVAL_QUEUE_LIMIT/);
  });

  it('lists the languages with versions', async () => {
    const response = await app.inject({ method: 'GET', url: '/eval/languages' });
    expect(response.statusCode).toBe(200);
    expect(
      response
        .json()
        .map((l: { language: string }) => l.language)
        .sort(),
    ).toEqual(['javascript', 'python', 'typescript']);
  });

  it('is ready once the interpreters are warm', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.json()).toEqual({ status: 'ready', checks: { sandbox: 'ok' } });
  });

  it('exposes the sandbox queue against its limit, its workers and their restarts on /metrics', async () => {
    await app.inject({ method: 'POST', url: '/eval', headers: userAuth, payload: { ...sum, code: 'function sum(a, b) { return a + b; }' } });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^eval_queue_depth\{kind="queued",service="eval"\} 0$/m);
    expect(text).toMatch(/^eval_queue_depth\{kind="limit",service="eval"\} 1$/m);
    expect(text).toMatch(/^eval_workers\{engine="quickjs",state="ready",service="eval"\} \d+$/m);
    expect(text).toMatch(/^eval_worker_crashes_total\{service="eval"\} \d+$/m);
    expect(text).toContain('# TYPE eval_worker_crashes_total counter');
    const completed = Number(/^eval_runs_completed_total\{service="eval"\} (\d+)$/m.exec(text)?.[1]);
    expect(completed).toBeGreaterThanOrEqual(1);
  });
});

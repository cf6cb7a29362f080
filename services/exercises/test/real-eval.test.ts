import { loadConfig } from '@codeyard/service-kit';
import { createTestIssuer, describeEachDatabase, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED_EXERCISES } from '../../../scripts/seed/exercises.js';
import { buildApp as buildEval } from '../../eval/src/app.js';
import { configSchema as evalConfigSchema } from '../../eval/src/config.js';
import { type ExercisesHarness, startExercises, uniqueId } from './helpers.js';

// One real eval service for the file (its interpreters take seconds to load), over real HTTP.
let evalApp: Awaited<ReturnType<typeof buildEval>>['app'];
let evalUrl: string;
let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
  const built = await buildEval(loadConfig(evalConfigSchema, testEnv({ EVAL_WORKERS: '1' })), { accessTokenKeys: issuer.keys });
  evalApp = built.app;
  // Grade only once the interpreters are loaded, so a slow machine does not turn warm-up into 503s.
  await built.pool.warmUp();
  await evalApp.listen({ port: 0, host: '127.0.0.1' });
  const address = evalApp.server.address();
  evalUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 120_000);
afterAll(() => evalApp.close());

describeEachDatabase('exercises: grading in the real eval sandbox', (target) => {
  let harness: ExercisesHarness;
  let app: ExercisesHarness['app'];
  const ids = new Map<string, number>();
  beforeAll(async () => {
    harness = await startExercises(target, { issuer, env: { EVAL_URL: evalUrl } });
    app = harness.app;
  });
  afterAll(() => harness.close());

  it('accepts every seed exercise: each reference solution passes its examples and hidden tests', async () => {
    for (const exercise of SEED_EXERCISES) {
      const response = await app.inject({ method: 'POST', url: '/exercises', headers: harness.admin, payload: exercise });
      expect(response.statusCode, `${exercise.title}: ${response.body}`).toBe(201);
      ids.set(exercise.title, response.json().id);
    }
  }, 120_000);

  it("refuses the seed's starter code as a reference solution", async () => {
    for (const exercise of SEED_EXERCISES) {
      const response = await app.inject({
        method: 'POST',
        url: '/exercises',
        headers: harness.admin,
        payload: { ...exercise, title: `${exercise.title} (starter)`, solution: exercise.starter_code },
      });
      expect(response.statusCode, exercise.title).toBe(400);
      const total = exercise.examples.length + exercise.tests.length;
      // A placeholder like `return 0` may pass a trivial test, never all of them.
      expect(response.json().errors.solution, exercise.title).toMatch(new RegExp(`^fails [1-9]\\d* of ${total} tests`));
    }
  }, 120_000);

  it('grades a wrong Python answer with the failing example explained, then the right one', async () => {
    const sumId = ids.get('Sum of two numbers');
    const auth = await harness.userAuth(uniqueId());
    const submit = (code: string) =>
      app.inject({ method: 'POST', url: `/exercises/${sumId}/submissions`, headers: auth, payload: { code } });

    const wrong = await submit('def sum(x, y):\n    return x - y\n');
    expect(wrong.statusCode).toBe(201);
    expect(wrong.json()).toMatchObject({ status: 'failed', passed: 1, total: 6 }); // sum(0, 0) is 0 either way
    expect(wrong.json().results[0]).toEqual({
      name: 'test 1',
      status: 'failed',
      expected: 5,
      actual: -1,
      message: 'expected 5, got -1',
      duration_ms: expect.any(Number),
    });
    expect(wrong.json().results[3]).toEqual({
      name: 'test 4',
      status: 'failed',
      message: 'Wrong answer on a hidden test (its arguments and expected value are not shown)',
      duration_ms: expect.any(Number),
    });

    const right = await submit('def sum(x,y):\n    return x+y');
    expect(right.json()).toMatchObject({ status: 'passed', passed: 6, total: 6 });
  });

  it('shows a submitter nothing of a hidden test: no printed arguments, no raised message', async () => {
    const sumId = ids.get('Sum of two numbers');
    const auth = await harness.userAuth(uniqueId());
    const leaky =
      'def sum(x, y):\n    print("ARGS", x, y)\n    if x > 100:\n        raise ValueError("SECRET %d %d" % (x, y))\n    return x + y\n';
    const response = await app.inject({ method: 'POST', url: `/exercises/${sumId}/submissions`, headers: auth, payload: { code: leaky } });
    expect(response.statusCode).toBe(201);
    const submission = response.json();
    expect(submission.stdout).toBe('ARGS 2 3\nARGS 2 2\n');
    expect(submission.results[5]).toEqual({
      name: 'test 6',
      status: 'error',
      message: 'ValueError on a hidden test (its message is not shown)',
      duration_ms: expect.any(Number),
    });
    expect(response.body).not.toContain('2345678');
  });

  it('grades TypeScript, and reports an endless loop as a timeout and a syntax error as an error', async () => {
    const auth = await harness.userAuth(uniqueId());
    const submit = (title: string, code: string) =>
      app.inject({ method: 'POST', url: `/exercises/${ids.get(title)}/submissions`, headers: auth, payload: { code } });

    const typed = await submit(
      'Chunk an array',
      'function chunk<T>(items: T[], size: number): T[][] {\n  const out: T[][] = [];\n  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));\n  return out;\n}\n',
    );
    expect(typed.json()).toMatchObject({ status: 'passed' });

    const endless = await submit('FizzBuzz', 'function fizzBuzz(n) { while (true) {} }');
    expect(endless.statusCode).toBe(201);
    expect(endless.json().status).toBe('timeout');

    const broken = await submit('Balanced brackets', 'function isBalanced(text) { return [ }');
    expect(broken.statusCode).toBe(201);
    expect(broken.json().status).toBe('error');
    expect(broken.json().results[0].message).toMatch(/syntax/i);
  });
});

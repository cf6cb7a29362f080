import { describeEachDatabase, serviceBearer } from '@codeyard/test-kit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { fakeEval } from './fake-eval.js';
import { type ExercisesHarness, jsExercise, RIGHT_ANSWER, startExercises, uniqueId, WRONG_ANSWER } from './helpers.js';

const HIDDEN_WRONG = 'Wrong answer on a hidden test (its arguments and expected value are not shown)';

describeEachDatabase('exercises: submissions', (target) => {
  let harness: ExercisesHarness;
  let app: ExercisesHarness['app'];
  const sandbox = fakeEval();
  let exerciseId: number;
  beforeAll(async () => {
    harness = await startExercises(target, { eval: sandbox.client });
    app = harness.app;
    const response = await app.inject({ method: 'POST', url: '/exercises', headers: harness.admin, payload: jsExercise() });
    exerciseId = response.json().id;
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    sandbox.state.down = false;
    sandbox.state.reply = undefined;
    sandbox.state.calls.length = 0;
  });

  const submit = (code: string, headers: Record<string, string>, id = exerciseId) =>
    app.inject({ method: 'POST', url: `/exercises/${id}/submissions`, headers, payload: { code } });
  const outboxRows = () => harness.db.selectFrom('outbox').selectAll().orderBy('created_at').execute();
  const submissionCount = async () =>
    Number(
      (
        await harness.db
          .selectFrom('submissions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('grades a wrong answer: which tests failed and why, hidden values kept back', async () => {
    const userId = uniqueId();
    const response = await submit(WRONG_ANSWER, await harness.userAuth(userId));
    expect(response.statusCode).toBe(201);
    const submission = response.json();
    expect(response.headers.location).toBe(`/api/v1/submissions/${submission.id}`);
    expect(submission).toMatchObject({
      exercise_id: exerciseId,
      user_id: userId,
      code: WRONG_ANSWER,
      status: 'failed',
      passed: 1,
      total: 5,
      stdout: '',
      created_at: expect.stringMatching(/Z$/),
    });
    expect(submission.results).toEqual([
      { name: 'test 1', status: 'passed', expected: 3, actual: 3, duration_ms: 1 },
      { name: 'test 2', status: 'failed', expected: 0, actual: -2, message: 'expected 0, got -2', duration_ms: 1 },
      { name: 'test 3', status: 'failed', message: HIDDEN_WRONG, duration_ms: 1 },
      { name: 'test 4', status: 'failed', message: HIDDEN_WRONG, duration_ms: 1 },
      { name: 'test 5', status: 'failed', message: HIDDEN_WRONG, duration_ms: 1 },
    ]);
    expect(response.body).not.toContain('-22'); // add(10, 32) with the wrong code: a hidden actual value
  });

  it('grades a right answer as passed, running the examples then the hidden tests', async () => {
    const response = await submit(RIGHT_ANSWER, await harness.userAuth(uniqueId()));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ status: 'passed', passed: 5, total: 5 });
    expect(response.json().results.map((r: { name: string; status: string }) => `${r.name}:${r.status}`)).toEqual([
      'test 1:passed',
      'test 2:passed',
      'test 3:passed',
      'test 4:passed',
      'test 5:passed',
    ]);
    const exercise = jsExercise();
    expect(sandbox.state.calls[0]?.tests).toEqual([...exercise.examples, ...exercise.tests]);
  });

  it("shows a hidden test's error class only, and only the output printed during the examples", async () => {
    const code =
      'function add(a, b) { console.log("adding", a, b); if (a > 5) throw new RangeError("too big: " + a + "," + b); return a + b; }';
    const response = await submit(code, await harness.userAuth(uniqueId()));
    const submission = response.json();
    expect(submission.status).toBe('error');
    expect(submission.results[2]).toEqual({
      name: 'test 3',
      status: 'error',
      message: 'RangeError on a hidden test (its message is not shown)',
      duration_ms: 1,
    });
    expect(submission.stdout).toBe('adding 1 2\nadding -1 1');
    expect(response.body).not.toContain('10,32'); // add(10, 32) is a hidden test
    expect(response.body).not.toContain('adding 10 32');
    expect(sandbox.state.calls[0]?.stdout_tests).toBe(2);
  });

  it('names no error class a program made up itself on a hidden test', async () => {
    const code = 'function add(a, b) { if (a > 5) { const e = new Error("x"); e.name = "Arg" + a; throw e; } return a + b; }';
    const submission = (await submit(code, await harness.userAuth(uniqueId()))).json();
    expect(submission.results[2]).toMatchObject({ status: 'error', message: 'Error on a hidden test (its message is not shown)' });
    expect(JSON.stringify(submission.results)).not.toContain('Arg10');
  });

  it('keeps at most 8 KiB of output and 4 KiB of a message, each marked as cut', async () => {
    sandbox.state.reply = {
      status: 200,
      body: {
        status: 'error',
        passed: 0,
        total: 1,
        results: [{ name: 'test 1', status: 'error', message: 'x'.repeat(100_000), duration_ms: 1 }],
        stdout: 'y'.repeat(100_000),
        duration_ms: 1,
      },
    };
    const submission = (await submit(RIGHT_ANSWER, await harness.userAuth(uniqueId()))).json();
    expect(submission.stdout).toBe(`${'y'.repeat(8 * 1024)}… [truncated: 100000 bytes in all]`);
    expect(submission.results[0].message).toBe(`${'x'.repeat(4 * 1024)}… [truncated: 100000 bytes in all]`);
  });

  it('enqueues one score update in the same transaction as the submission', async () => {
    const before = (await outboxRows()).length;
    const userId = uniqueId();
    const wrong = (await submit(WRONG_ANSWER, await harness.userAuth(userId))).json();
    const right = (await submit(RIGHT_ANSWER, await harness.userAuth(userId))).json();
    const rows = (await outboxRows()).slice(before);
    expect(rows.map((row) => ({ destination: row.destination, method: row.method, path: row.path, body: JSON.parse(row.body) }))).toEqual([
      {
        destination: 'scores',
        method: 'PATCH',
        path: '/scores',
        body: { user_id: userId, exercise_id: exerciseId, correct: false, submitted_at: wrong.created_at },
      },
      {
        destination: 'scores',
        method: 'PATCH',
        path: '/scores',
        body: { user_id: userId, exercise_id: exerciseId, correct: true, submitted_at: right.created_at },
      },
    ]);
  });

  it('returns 503 with Retry-After when the sandbox is down, storing nothing and sending no score', async () => {
    sandbox.state.down = true;
    const [submissions, events] = [await submissionCount(), (await outboxRows()).length];
    const response = await submit(RIGHT_ANSWER, await harness.userAuth(uniqueId()));
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(await submissionCount()).toBe(submissions);
    expect((await outboxRows()).length).toBe(events);
  });

  it.each([
    ['answers 500', { status: 500, body: { statusCode: 500 } }],
    ['is rate limited', { status: 429, body: { statusCode: 429 }, headers: { 'retry-after': '30' } }],
    ['answers in an unknown shape', { status: 200, body: { verdict: 'ok' } }],
  ])('returns 503 and stores nothing when the sandbox %s', async (_label, reply) => {
    sandbox.state.reply = reply;
    const submissions = await submissionCount();
    const response = await submit(RIGHT_ANSWER, await harness.userAuth(uniqueId()));
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBe(reply.status === 429 ? 30 : 5);
    expect(await submissionCount()).toBe(submissions);
  });

  it('returns 400 on the code field when the sandbox refuses the program itself', async () => {
    sandbox.state.reply = { status: 400, body: { statusCode: 400, message: 'The program is too large to run' } };
    const response = await submit(RIGHT_ANSWER, await harness.userAuth(uniqueId()));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      message: 'The program is too large to run',
      errors: { code: 'The program is too large to run' },
    });
  });

  it('returns 404 for an unknown exercise without grading, 400 for empty code', async () => {
    const auth = await harness.userAuth(uniqueId());
    const missing = await submit(RIGHT_ANSWER, auth, 99_999_999);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('Exercise 99999999 does not exist');
    const empty = await submit('', auth);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toHaveProperty('code');
    expect(sandbox.state.calls).toHaveLength(0);
  });

  it('returns 401 without a token and for a service credential (exercises accepts none)', async () => {
    expect((await submit(RIGHT_ANSWER, {})).statusCode).toBe(401);
    expect((await submit(RIGHT_ANSWER, { authorization: await serviceBearer('scores') })).statusCode).toBe(401);
  });

  // Idempotency-Key ----------------------------------------------------------------------------

  it('answers a repeated Idempotency-Key with the first response, grading and storing once', async () => {
    const auth = await harness.userAuth(uniqueId());
    const headers = { ...auth, 'idempotency-key': `k-${uniqueId()}` };
    const [submissions, events] = [await submissionCount(), (await outboxRows()).length];
    const first = await submit(RIGHT_ANSWER, headers);
    const again = await submit(RIGHT_ANSWER, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(sandbox.state.calls).toHaveLength(1);
    expect(await submissionCount()).toBe(submissions + 1);
    expect((await outboxRows()).length).toBe(events + 1);
  });

  it('stores one submission for concurrent requests with the same Idempotency-Key', async () => {
    const headers = { ...(await harness.userAuth(uniqueId())), 'idempotency-key': `k-${uniqueId()}` };
    const [submissions, events] = [await submissionCount(), (await outboxRows()).length];
    const responses = await Promise.all(Array.from({ length: 4 }, () => submit(RIGHT_ANSWER, headers)));
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    expect(await submissionCount()).toBe(submissions + 1);
    expect((await outboxRows()).length).toBe(events + 1);
  });

  it('returns 409 when an Idempotency-Key is reused with different code, and keys are per user', async () => {
    const key = `k-${uniqueId()}`;
    const auth = await harness.userAuth(uniqueId());
    await submit(RIGHT_ANSWER, { ...auth, 'idempotency-key': key });
    const reused = await submit(WRONG_ANSWER, { ...auth, 'idempotency-key': key });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().errors).toHaveProperty('idempotency-key');
    const otherUser = await submit(WRONG_ANSWER, { ...(await harness.userAuth(uniqueId())), 'idempotency-key': key });
    expect(otherUser.statusCode).toBe(201);
    expect(otherUser.headers['idempotent-replayed']).toBeUndefined();
    const bad = await submit(RIGHT_ANSWER, { ...auth, 'idempotency-key': 'no spaces allowed' });
    expect(bad.statusCode).toBe(400);
  });

  // reading submissions ------------------------------------------------------------------------

  it("lists the caller's submissions to an exercise, newest first, paged", async () => {
    const userId = uniqueId();
    const auth = await harness.userAuth(userId);
    const ids: number[] = [];
    for (const code of [WRONG_ANSWER, RIGHT_ANSWER, WRONG_ANSWER]) ids.push((await submit(code, auth)).json().id);
    await submit(RIGHT_ANSWER, await harness.userAuth(uniqueId()));
    const first = await app.inject({ method: 'GET', url: `/exercises/${exerciseId}/submissions?limit=2`, headers: auth });
    expect(first.statusCode).toBe(200);
    expect(first.json().map((s: { id: number }) => s.id)).toEqual([ids[2], ids[1]]);
    const next = /^<([^>]+)>; rel="next"$/.exec(String(first.headers.link))?.[1];
    const second = await app.inject({ method: 'GET', url: String(next), headers: auth });
    expect(second.json().map((s: { id: number }) => s.id)).toEqual([ids[0]]);
    expect(second.json()[0].results[2].message).toBe(HIDDEN_WRONG);
  });

  it('returns 401 for an anonymous list and 404 for the submissions of an unknown exercise', async () => {
    expect((await app.inject({ method: 'GET', url: `/exercises/${exerciseId}/submissions` })).statusCode).toBe(401);
    const auth = await harness.userAuth(uniqueId());
    expect((await app.inject({ method: 'GET', url: '/exercises/99999999/submissions', headers: auth })).statusCode).toBe(404);
  });

  it('shows a submission to its owner and to admins (with hidden values), 404 to anyone else', async () => {
    const owner = await harness.userAuth(uniqueId());
    const submission = (await submit(WRONG_ANSWER, owner)).json();
    const url = `/submissions/${submission.id}`;
    const mine = await app.inject({ method: 'GET', url, headers: owner });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual(submission);
    const admin = await app.inject({ method: 'GET', url, headers: harness.admin });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().results[2]).toEqual({
      name: 'test 3',
      status: 'failed',
      expected: 42,
      actual: -22,
      message: 'expected 42, got -22',
      duration_ms: 1,
    });
    const stranger = await app.inject({ method: 'GET', url, headers: await harness.userAuth(uniqueId()) });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().message).toBe(`Submission ${submission.id} does not exist`);
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/submissions/99999999', headers: owner })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/submissions/abc', headers: owner })).statusCode).toBe(400);
  });

  it('deletes the submissions of a deleted exercise', async () => {
    const exercise = (await app.inject({ method: 'POST', url: '/exercises', headers: harness.admin, payload: jsExercise() })).json();
    const owner = await harness.userAuth(uniqueId());
    const submission = (await submit(RIGHT_ANSWER, owner, exercise.id)).json();
    await app.inject({ method: 'DELETE', url: `/exercises/${exercise.id}`, headers: harness.admin });
    expect((await app.inject({ method: 'GET', url: `/submissions/${submission.id}`, headers: owner })).statusCode).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SEED_EXERCISES, seedExercises } from '../scripts/seed/exercises.js';
import { apiClient, newSignedInUser } from './http.js';
import { startSystem, type System } from './system.js';

/**
 * The newcomer's journey through the gateway, with the real sandbox grading: list the exercises,
 * submit a wrong answer and see why it is wrong, submit a right one, see the score and the leaderboard.
 */
describe('exercises through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  const seedLog: string[] = [];
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
    await seedExercises({ baseUrl: system.baseUrl, adminToken: system.adminToken, log: (line) => seedLog.push(line) });
  });
  afterAll(() => system.stop());

  const newUser = () => newSignedInUser(api, 'ex');

  async function exerciseTitled(title: string) {
    const list = await api('/exercises?limit=100');
    const found = list.body.find((exercise: { title: string }) => exercise.title === title);
    expect(found, title).toBeDefined();
    return found as { id: number; title: string; examples: unknown[] };
  }

  it('seeds the course through the API once: every reference solution passed the real sandbox', async () => {
    expect(SEED_EXERCISES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(SEED_EXERCISES.map((exercise) => exercise.language))).toEqual(new Set(['javascript', 'typescript', 'python']));
    const again: string[] = [];
    await seedExercises({ baseUrl: system.baseUrl, adminToken: system.adminToken, log: (line) => again.push(line) });
    expect(again).toEqual([`exercises: 0 created, 0 updated, ${SEED_EXERCISES.length} already up to date`]);
  });

  it('puts back an exercise an admin changed when the seed runs again', async () => {
    const seeded = SEED_EXERCISES.find((exercise) => exercise.title === 'Factorial');
    const factorial = await exerciseTitled('Factorial');
    const changed = await api(`/exercises/${factorial.id}`, {
      method: 'PUT',
      token: system.adminToken,
      json: { ...seeded, body: 'Changed by hand.' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.body).toBe('Changed by hand.');
    const log: string[] = [];
    await seedExercises({ baseUrl: system.baseUrl, adminToken: system.adminToken, log: (line) => log.push(line) });
    expect(log).toEqual([
      'exercises: updated "Factorial"',
      `exercises: 0 created, 1 updated, ${SEED_EXERCISES.length - 1} already up to date`,
    ]);
    expect((await api(`/exercises/${factorial.id}`)).body.body).toBe(seeded?.body);
  });

  it('lists the exercises to anyone, in course order, without hidden tests or solutions', async () => {
    const list = await api('/exercises?limit=100');
    expect(list.status).toBe(200);
    const titles = list.body.map((exercise: { title: string }) => exercise.title);
    for (const title of ['Sum of two numbers', 'Reverse a string', 'Factorial']) expect(titles).toContain(title);
    expect(titles.indexOf('Sum of two numbers')).toBeLessThan(titles.indexOf('Evaluate an arithmetic expression'));
    for (const exercise of list.body) {
      expect(exercise).not.toHaveProperty('tests');
      expect(exercise).not.toHaveProperty('solution');
      expect(exercise.examples.length).toBeGreaterThan(0);
    }
    const python = await api('/exercises?language=python&limit=100');
    expect(python.body.every((exercise: { language: string }) => exercise.language === 'python')).toBe(true);
  });

  it('shows a newcomer which test a wrong answer failed and why; a right answer makes the score correct and reaches the leaderboard', async () => {
    const user = await newUser();
    const sum = await exerciseTitled('Sum of two numbers');
    const submit = (code: string) => api(`/exercises/${sum.id}/submissions`, { method: 'POST', token: user.token, json: { code } });

    const wrong = await submit('def sum(x, y):\n    return x - y\n');
    expect(wrong.status).toBe(201);
    expect(wrong.headers.get('location')).toBe(`/api/v1/submissions/${wrong.body.id}`);
    expect(wrong.body).toMatchObject({ exercise_id: sum.id, user_id: user.id, status: 'failed' });
    expect(wrong.body.passed).toBeLessThan(wrong.body.total);
    expect(wrong.body.results[0]).toMatchObject({ name: 'test 1', status: 'failed', expected: 5, actual: -1 });
    expect(wrong.body.results[0].message).toEqual(expect.any(String));
    // Hidden tests say that they failed, not what they expected.
    const hidden = wrong.body.results.slice(sum.examples.length);
    expect(hidden.length).toBeGreaterThan(0);
    for (const result of hidden) expect(result).not.toHaveProperty('expected');

    // The original course's answer, as its end-to-end test typed it.
    const right = await submit('def sum(x,y):\n    return x+y');
    expect(right.status).toBe(201);
    expect(right.body).toMatchObject({ status: 'passed' });
    expect(right.body.passed).toBe(right.body.total);

    await vi.waitFor(
      async () => {
        const scores = await api('/scores/user', { token: user.token });
        expect(scores.body).toEqual([
          expect.objectContaining({ exercise_id: sum.id, correct: true, attempts: 2, solved_at: right.body.created_at }),
        ]);
      },
      { timeout: 15_000, interval: 100 },
    );
    const leaderboard = await api('/scores/leaderboard?limit=100');
    expect(leaderboard.body).toContainEqual({
      user_id: user.id,
      username: user.username,
      solved: 1,
      last_solved_at: right.body.created_at,
    });

    const history = await api(`/exercises/${sum.id}/submissions`, { token: user.token });
    expect(history.body.map((s: { id: number }) => s.id)).toEqual([right.body.id, wrong.body.id]);
    expect((await api(`/submissions/${wrong.body.id}`, { token: user.token })).body).toEqual(wrong.body);
    const stranger = await newUser();
    expect((await api(`/submissions/${wrong.body.id}`, { token: stranger.token })).status).toBe(404);
  });

  it('grades TypeScript and JavaScript, and reports a program that never ends as a timeout', async () => {
    const user = await newUser();
    const vowels = await exerciseTitled('Count the vowels');
    const right = await api(`/exercises/${vowels.id}/submissions`, {
      method: 'POST',
      token: user.token,
      json: { code: 'function countVowels(text: string): number {\n  return (text.match(/[aeiou]/gi) ?? []).length;\n}\n' },
    });
    expect(right.status).toBe(201);
    expect(right.body.status).toBe('passed');

    const fizz = await exerciseTitled('FizzBuzz');
    const endless = await api(`/exercises/${fizz.id}/submissions`, {
      method: 'POST',
      token: user.token,
      json: { code: 'function fizzBuzz(n) { while (true) {} }' },
    });
    expect(endless.status).toBe(201);
    expect(endless.body.status).toBe('timeout');
  });

  it('answers a repeated Idempotency-Key with the first submission', async () => {
    const user = await newUser();
    const reverse = await exerciseTitled('Reverse a string');
    const request = {
      method: 'POST',
      token: user.token,
      headers: { 'idempotency-key': `e2e-${Date.now()}` },
      json: { code: 'def reverse(text):\n    return text[::-1]\n' },
    };
    const first = await api(`/exercises/${reverse.id}/submissions`, request);
    const again = await api(`/exercises/${reverse.id}/submissions`, request);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const history = await api(`/exercises/${reverse.id}/submissions`, { token: user.token });
    expect(history.body).toHaveLength(1);
  });

  it('refuses an exercise whose reference solution fails its own tests, naming the failing test', async () => {
    const response = await api('/exercises', {
      method: 'POST',
      token: system.adminToken,
      json: {
        title: `Broken ${Date.now()}`,
        body: 'Double a number.',
        language: 'javascript',
        entrypoint: 'double',
        examples: [{ args: [2], expected: 4 }],
        tests: [
          { args: [0], expected: 0 },
          { args: [-3], expected: -6 },
        ],
        solution: 'function double(n) { return n > 0 ? n * 2 : 0; }',
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toMatchObject({ solution: 'fails 1 of 3 tests (test 3)', 'tests.1': expect.stringContaining('-6') });
  });

  it('answers bad input with JSON 4xx', async () => {
    const user = await newUser();
    const cases: Array<[string, Parameters<typeof api>[1], number]> = [
      ['/exercises/abc', {}, 400],
      ['/exercises/999999999', {}, 404],
      ['/exercises?language=cobol', {}, 400],
      ['/exercises/1/submissions', { method: 'POST', json: { code: 'x' } }, 401],
      ['/exercises/999999999/submissions', { method: 'POST', token: user.token, json: { code: 'x' } }, 404],
      ['/exercises/1/submissions', { method: 'POST', token: user.token, json: {} }, 400],
      ['/submissions/abc', { token: user.token }, 400],
      ['/exercises', { method: 'POST', token: user.token, json: {} }, 400],
    ];
    for (const [path, request, status] of cases) {
      const response = await api(path, request);
      expect(response.status, `${request?.method ?? 'GET'} ${path}`).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/json');
    }
  });
});

import { type ServiceClient, serviceUnavailable } from '@codeyard/service-kit';
import { describeEachDatabase } from '@codeyard/test-kit';
import { afterEach, expect, it } from 'vitest';
import { createUsernameDirectory } from '../src/domain/usernames.js';
import { type ScoresHarness, startScores } from './helpers.js';

/** A stand-in for the users service's batch lookup: knows some usernames, records lookups, can go down. */
function fakeUsers(known: Record<number, string>) {
  const state = { calls: 0, down: false, paths: [] as string[] };
  const client: ServiceClient = async <T>(_method: string, path: string) => {
    state.calls += 1;
    state.paths.push(path);
    if (state.down) throw serviceUnavailable('The users service is unavailable');
    const ids = (new URL(path, 'http://users').searchParams.get('ids') ?? '').split(',').map(Number);
    const body = ids.filter((id) => known[id] !== undefined).map((id) => ({ id, username: known[id] }));
    return { status: 200, body: body as T, headers: new Headers() };
  };
  return { client, state };
}

describeEachDatabase('scores: leaderboard', (target) => {
  let harness: ScoresHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function solve(app: ScoresHarness['app'], auth: Record<string, string>, userId: number, exerciseId: number, at: string) {
    const response = await app.inject({
      method: 'PATCH',
      url: '/scores',
      headers: auth,
      payload: { user_id: userId, exercise_id: exerciseId, correct: true, submitted_at: at },
    });
    expect(response.statusCode).toBeLessThan(300);
  }

  it('ranks users by solved exercises, ties newest solve first, with usernames', async () => {
    const users = fakeUsers({ 1: 'ada', 2: 'grace', 3: 'linus', 4: 'alan' });
    harness = await startScores(target, { usernames: createUsernameDirectory({ users: users.client, cacheMs: 60_000, timeoutMs: 500 }) });
    const { app, exercisesService: auth } = harness;
    await solve(app, auth, 1, 10, '2026-01-01T00:00:00.000Z');
    await solve(app, auth, 1, 11, '2026-01-02T00:00:00.000Z');
    await solve(app, auth, 2, 10, '2026-01-05T00:00:00.000Z');
    await solve(app, auth, 3, 10, '2026-01-03T00:00:00.000Z');
    // A wrong attempt is no solve, and neither is a user with only wrong attempts.
    await app.inject({ method: 'PATCH', url: '/scores', headers: auth, payload: { user_id: 3, exercise_id: 11, correct: false } });
    await app.inject({ method: 'PATCH', url: '/scores', headers: auth, payload: { user_id: 4, exercise_id: 10, correct: false } });

    const response = await app.inject({ method: 'GET', url: '/scores/leaderboard' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { user_id: 1, username: 'ada', solved: 2, last_solved_at: '2026-01-02T00:00:00.000Z' },
      { user_id: 2, username: 'grace', solved: 1, last_solved_at: '2026-01-05T00:00:00.000Z' },
      { user_id: 3, username: 'linus', solved: 1, last_solved_at: '2026-01-03T00:00:00.000Z' },
    ]);

    // one batch request for the three names, not one per user
    expect(users.state.paths).toEqual(['/users?ids=1,2,3']);

    const top = await app.inject({ method: 'GET', url: '/scores/leaderboard?limit=1' });
    expect(top.json()).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/scores/leaderboard?limit=0' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/scores/leaderboard?limit=abc' })).statusCode).toBe(400);
  });

  it('reuses cached usernames instead of asking users on every request', async () => {
    const users = fakeUsers({ 7: 'cached' });
    harness = await startScores(target, { usernames: createUsernameDirectory({ users: users.client, cacheMs: 60_000, timeoutMs: 500 }) });
    await solve(harness.app, harness.exercisesService, 7, 1, '2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 3; i += 1) {
      const response = await harness.app.inject({ method: 'GET', url: '/scores/leaderboard' });
      expect(response.json()[0].username).toBe('cached');
    }
    expect(users.state.calls).toBe(1);
  });

  it('still answers with username null while the users service is down, and names users once it is back', async () => {
    const users = fakeUsers({ 5: 'back-again' });
    users.state.down = true;
    harness = await startScores(target, { usernames: createUsernameDirectory({ users: users.client, cacheMs: 60_000, timeoutMs: 500 }) });
    await solve(harness.app, harness.exercisesService, 5, 1, '2026-01-01T00:00:00.000Z');
    const during = await harness.app.inject({ method: 'GET', url: '/scores/leaderboard' });
    expect(during.statusCode).toBe(200);
    expect(during.json()).toEqual([{ user_id: 5, username: null, solved: 1, last_solved_at: '2026-01-01T00:00:00.000Z' }]);
    users.state.down = false;
    const after = await harness.app.inject({ method: 'GET', url: '/scores/leaderboard' });
    expect(after.json()[0].username).toBe('back-again');
  });

  it('answers with username null when the real users client cannot connect', async () => {
    // The default directory, pointed at a port where nothing listens.
    harness = await startScores(target);
    await solve(harness.app, harness.exercisesService, 9, 1, '2026-01-01T00:00:00.000Z');
    const response = await harness.app.inject({ method: 'GET', url: '/scores/leaderboard' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([{ user_id: 9, username: null, solved: 1, last_solved_at: '2026-01-01T00:00:00.000Z' }]);
  });

  it('asks users once per 100 names and answers repeats from its cache', async () => {
    const known = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [i + 1, `user${i + 1}`]));
    const users = fakeUsers(known);
    const directory = createUsernameDirectory({ users: users.client, cacheMs: 60_000, timeoutMs: 500 });
    const ids = Array.from({ length: 250 }, (_, i) => i + 1);
    const names = await directory.lookup(ids, 'req-1');
    expect(names.size).toBe(250);
    expect(names.get(250)).toBe('user250');
    expect(users.state.calls).toBe(3);
    await directory.lookup(ids, 'req-2');
    expect(users.state.calls).toBe(3);
  });

  it('shows a deleted account with username null', async () => {
    const users = fakeUsers({});
    harness = await startScores(target, { usernames: createUsernameDirectory({ users: users.client, cacheMs: 60_000, timeoutMs: 500 }) });
    await solve(harness.app, harness.exercisesService, 12, 1, '2026-01-01T00:00:00.000Z');
    const response = await harness.app.inject({ method: 'GET', url: '/scores/leaderboard' });
    expect(response.json()[0]).toMatchObject({ user_id: 12, username: null });
  });
});

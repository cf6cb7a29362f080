import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSignedInUser } from './http.js';
import { startSystem, type System } from './system.js';

/** The scores section of the contract, through the gateway of a running system. */
describe('scores through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  const newUser = () => newSignedInUser(api, 'sc');
  // Exercise ids the scores service has never seen: it does not check them (they are another service's).
  const exerciseId = () => 900_000 + Math.floor(Math.random() * 90_000);

  it('records attempts with PATCH (admin), and the user reads them on /scores/user', async () => {
    const user = await newUser();
    const pair = { user_id: user.id, exercise_id: exerciseId() };
    const first = await api('/scores', { method: 'PATCH', token: system.adminToken, json: { ...pair, correct: false } });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/api/v1/scores/${first.body.id}`);
    const second = await api('/scores', { method: 'PATCH', token: system.adminToken, json: { ...pair, correct: true } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, correct: true, attempts: 2 });

    const mine = await api('/scores/user', { token: user.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([second.body]);
    const one = await api(`/scores/user/${first.body.id}`, { token: user.token });
    expect(one.body).toEqual(second.body);
    const someoneElse = await newUser();
    expect((await api(`/scores/user/${first.body.id}`, { token: someoneElse.token })).status).toBe(404);
    expect((await api(`/scores/${first.body.id}`)).body).toEqual(second.body);
    expect((await api(`/scores?user_id=${user.id}`)).body).toEqual([second.body]);
  });

  it('shows solvers on the leaderboard with their usernames from the users service', async () => {
    const user = await newUser();
    const created = await api('/scores', {
      method: 'POST',
      token: system.adminToken,
      json: { user_id: user.id, exercise_id: exerciseId(), correct: true },
    });
    expect(created.status).toBe(201);
    const leaderboard = await api('/scores/leaderboard?limit=100');
    expect(leaderboard.status).toBe(200);
    expect(leaderboard.body).toContainEqual({
      user_id: user.id,
      username: user.username,
      solved: 1,
      last_solved_at: created.body.solved_at,
    });
  });

  it('refuses score writes by users and answers bad input with JSON 4xx', async () => {
    const user = await newUser();
    const body = { user_id: user.id, exercise_id: exerciseId(), correct: true };
    const cases: Array<[string, Parameters<typeof api>[1], number]> = [
      ['/scores', { method: 'POST', token: user.token, json: body }, 403],
      ['/scores', { method: 'PATCH', token: user.token, json: body }, 403],
      ['/scores', { method: 'POST', json: body }, 401],
      ['/scores', { method: 'POST', token: system.adminToken, json: { ...body, correct: 'yes' } }, 400],
      ['/scores/abc', {}, 400],
      ['/scores/999999999', {}, 404],
      ['/scores/user', {}, 401],
      ['/scores/leaderboard?limit=0', {}, 400],
      ['/scores', { method: 'DELETE' }, 405],
    ];
    for (const [path, request, status] of cases) {
      const response = await api(path, request);
      expect(response.status, `${request?.method ?? 'GET'} ${path}`).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/json');
    }
    expect((await api(`/scores?user_id=${user.id}`)).body).toEqual([]);
  });
});

import { describeEachDatabase, serviceBearer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ScoresHarness, startScores, uniqueId } from './helpers.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachDatabase('scores', (target) => {
  let harness: ScoresHarness;
  let app: ScoresHarness['app'];
  beforeAll(async () => {
    harness = await startScores(target);
    app = harness.app;
  });
  afterAll(() => harness.close());

  const recordAttempt = (body: Record<string, unknown>, headers: Record<string, string> = harness.exercisesService) =>
    app.inject({ method: 'PATCH', url: '/scores', headers, payload: body });
  const createScore = (body: Record<string, unknown>, headers: Record<string, string> = harness.exercisesService) =>
    app.inject({ method: 'POST', url: '/scores', headers, payload: body });
  const getScore = (id: number) => app.inject({ method: 'GET', url: `/scores/${id}` });

  // POST /scores -----------------------------------------------------------------------------

  it('creates a score for a service: 201, Location, no attempts yet', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: false };
    const response = await createScore(body);
    expect(response.statusCode).toBe(201);
    const score = response.json();
    expect(response.headers.location).toBe(`/api/v1/scores/${score.id}`);
    expect(score).toEqual({
      id: expect.any(Number),
      user_id: body.user_id,
      exercise_id: body.exercise_id,
      correct: false,
      attempts: 0,
      solved_at: null,
      updated_at: expect.stringMatching(ISO),
    });
  });

  it('lets an admin create a correct score, with solved_at set', async () => {
    const response = await createScore({ user_id: uniqueId(), exercise_id: uniqueId(), correct: true }, harness.admin);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ correct: true, solved_at: expect.stringMatching(ISO) });
  });

  it('returns 409 when the (user, exercise) pair already has a score, and changes nothing', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: false };
    const first = await createScore(body);
    const second = await createScore({ ...body, correct: true });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ statusCode: 409, error: 'Conflict', errors: { exercise_id: expect.any(String) } });
    expect((await getScore(first.json().id)).json().correct).toBe(false);
  });

  it('returns 401 without a token and 403 for a user who is not an admin', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: true };
    expect((await createScore(body, {})).statusCode).toBe(401);
    const response = await createScore(body, await harness.userAuth(body.user_id));
    expect(response.statusCode).toBe(403);
    const list = await app.inject({ method: 'GET', url: `/scores?user_id=${body.user_id}` });
    expect(list.json()).toEqual([]);
  });

  it('refuses score writes (401) from any service but exercises, e.g. an escaped eval or votes', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: true };
    for (const service of ['eval', 'votes']) {
      const authorization = await serviceBearer(service);
      expect((await createScore(body, { authorization })).statusCode, service).toBe(401);
      const upsert = await app.inject({ method: 'PATCH', url: '/scores', headers: { authorization }, payload: body });
      expect(upsert.statusCode, service).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: `/scores?user_id=${body.user_id}` })).json()).toEqual([]);
  });

  it('refuses a credential minted with votes\' key that claims to be exercises', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: true };
    const authorization = await serviceBearer('exercises', { signedBy: 'votes' });
    const response = await createScore(body, { authorization });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe('Invalid access token');
    expect((await app.inject({ method: 'PATCH', url: '/scores', headers: { authorization }, payload: body })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/scores?user_id=${body.user_id}` })).json()).toEqual([]);
    // exercises' own key still works
    expect((await createScore(body)).statusCode).toBe(201);
  });

  it.each([
    ['an empty body', {}, ['user_id', 'exercise_id', 'correct']],
    ['a string as correct', { user_id: 1, exercise_id: 1, correct: 'yes' }, ['correct']],
    ['a zero user id', { user_id: 0, exercise_id: 1, correct: true }, ['user_id']],
    ['a fractional exercise id', { user_id: 1, exercise_id: 1.5, correct: true }, ['exercise_id']],
    ['a user id beyond 32 bits', { user_id: 2 ** 31, exercise_id: 1, correct: true }, ['user_id']],
  ])('returns 400 naming the fields for %s', async (_label, body, fields) => {
    const response = await createScore(body);
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().errors).sort()).toEqual([...fields].sort());
  });

  // GET -------------------------------------------------------------------------------------

  it('reads one score by id, 404 for an unknown one, 400 for a malformed id', async () => {
    const created = (await createScore({ user_id: uniqueId(), exercise_id: uniqueId(), correct: false })).json();
    expect((await getScore(created.id)).json()).toEqual(created);
    const missing = await getScore(99_999_999);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404, message: 'Score 99999999 does not exist' });
    // 2^31 and up do not fit the id columns: a 400, not a database error.
    for (const bad of ['abc', '0', '-1', '1.5', '2147483648', '99999999999']) {
      const response = await app.inject({ method: 'GET', url: `/scores/${bad}` });
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().errors).toHaveProperty('id');
    }
  });

  it('filters the list by user and by exercise, newest first', async () => {
    const userId = uniqueId();
    const [a, b] = [uniqueId(), uniqueId()];
    const first = (await createScore({ user_id: userId, exercise_id: a, correct: false })).json();
    const second = (await createScore({ user_id: userId, exercise_id: b, correct: true })).json();
    await createScore({ user_id: uniqueId(), exercise_id: a, correct: true });

    const byUser = await app.inject({ method: 'GET', url: `/scores?user_id=${userId}` });
    expect(byUser.json().map((s: { id: number }) => s.id)).toEqual([second.id, first.id]);
    const byBoth = await app.inject({ method: 'GET', url: `/scores?user_id=${userId}&exercise_id=${a}` });
    expect(byBoth.json()).toEqual([first]);
    const byExercise = await app.inject({ method: 'GET', url: `/scores?exercise_id=${a}` });
    expect(byExercise.json()).toHaveLength(2);
  });

  it('pages the list with limit and a Link to the next page', async () => {
    const exerciseId = uniqueId();
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push((await createScore({ user_id: uniqueId(), exercise_id: exerciseId, correct: false })).json().id);
    const first = await app.inject({
      method: 'GET',
      url: `/scores?exercise_id=${exerciseId}&limit=2`,
      headers: { 'x-forwarded-prefix': '/api/v1' },
    });
    expect(first.json().map((s: { id: number }) => s.id)).toEqual([ids[2], ids[1]]);
    const link = /^<(\/api\/v1\/scores\?[^>]+)>; rel="next"$/.exec(String(first.headers.link));
    expect(link).not.toBeNull();
    const second = await app.inject({ method: 'GET', url: String(link?.[1]).replace('/api/v1', '') });
    expect(second.json().map((s: { id: number }) => s.id)).toEqual([ids[0]]);
    expect(second.headers.link).toBeUndefined();
  });

  it('returns 400 for a bad filter, limit or cursor', async () => {
    for (const query of ['user_id=abc', 'exercise_id=0', 'user_id=2147483648', 'limit=0', 'limit=101', 'before=%%%']) {
      const response = await app.inject({ method: 'GET', url: `/scores?${query}` });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it("lists only the caller's own scores on /scores/user", async () => {
    const me = uniqueId();
    const mine = (await createScore({ user_id: me, exercise_id: uniqueId(), correct: true })).json();
    await createScore({ user_id: uniqueId(), exercise_id: mine.exercise_id, correct: true });
    const response = await app.inject({ method: 'GET', url: '/scores/user', headers: await harness.userAuth(me) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([mine]);
    expect((await app.inject({ method: 'GET', url: '/scores/user' })).statusCode).toBe(401);
  });

  it("returns the caller's score on /scores/user/{id} and 404 for someone else's", async () => {
    const me = uniqueId();
    const mine = (await createScore({ user_id: me, exercise_id: uniqueId(), correct: false })).json();
    const theirs = (await createScore({ user_id: uniqueId(), exercise_id: uniqueId(), correct: false })).json();
    const auth = await harness.userAuth(me);
    const own = await app.inject({ method: 'GET', url: `/scores/user/${mine.id}`, headers: auth });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual(mine);
    const other = await app.inject({ method: 'GET', url: `/scores/user/${theirs.id}`, headers: auth });
    expect(other.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/scores/user/99999999', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/scores/user/abc', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/scores/user/${mine.id}` })).statusCode).toBe(401);
  });

  it('routes /scores/leaderboard and /scores/user to their handlers, not to /scores/{id}', async () => {
    const leaderboard = await app.inject({ method: 'GET', url: '/scores/leaderboard' });
    expect(leaderboard.statusCode).toBe(200);
    expect(Array.isArray(leaderboard.json())).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/scores/user' })).statusCode).toBe(401);
  });

  // PUT /scores/{id} --------------------------------------------------------------------------

  it('sets correct with PUT and clears solved_at when an admin sets it back to false', async () => {
    const score = (await createScore({ user_id: uniqueId(), exercise_id: uniqueId(), correct: false })).json();
    const solved = await app.inject({ method: 'PUT', url: `/scores/${score.id}`, headers: harness.admin, payload: { correct: true } });
    expect(solved.statusCode).toBe(200);
    expect(solved.json()).toMatchObject({ id: score.id, correct: true, attempts: 0, solved_at: expect.stringMatching(ISO) });
    const again = await app.inject({ method: 'PUT', url: `/scores/${score.id}`, headers: harness.admin, payload: { correct: true } });
    expect(again.json().solved_at).toBe(solved.json().solved_at);
    const cleared = await app.inject({ method: 'PUT', url: `/scores/${score.id}`, headers: harness.admin, payload: { correct: false } });
    expect(cleared.json()).toMatchObject({ correct: false, solved_at: null });
  });

  it('returns 404, 400 and 403 from PUT as appropriate', async () => {
    const score = (await createScore({ user_id: uniqueId(), exercise_id: uniqueId(), correct: false })).json();
    const put = (url: string, payload: unknown, headers: Record<string, string>) =>
      app.inject({ method: 'PUT', url, headers, payload: payload as Record<string, unknown> });
    expect((await put('/scores/99999999', { correct: true }, harness.admin)).statusCode).toBe(404);
    expect((await put(`/scores/${score.id}`, {}, harness.admin)).statusCode).toBe(400);
    expect((await put(`/scores/${score.id}`, { correct: true }, await harness.userAuth(score.user_id))).statusCode).toBe(403);
    expect((await getScore(score.id)).json().correct).toBe(false);
  });

  // PATCH /scores ----------------------------------------------------------------------------

  it('creates the score on the first attempt (201) and updates it on the next (200)', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: false };
    const first = await recordAttempt(body);
    expect(first.statusCode).toBe(201);
    expect(first.headers.location).toBe(`/api/v1/scores/${first.json().id}`);
    expect(first.json()).toMatchObject({ ...body, attempts: 1, correct: false, solved_at: null });
    const second = await recordAttempt({ ...body, correct: true });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, attempts: 2, correct: true, solved_at: expect.stringMatching(ISO) });
  });

  it('never turns correct back to false after a correct attempt, and keeps the first solved_at', async () => {
    const pair = { user_id: uniqueId(), exercise_id: uniqueId() };
    const solved = (await recordAttempt({ ...pair, correct: true })).json();
    const wrong = await recordAttempt({ ...pair, correct: false });
    expect(wrong.json()).toMatchObject({ correct: true, attempts: 2, solved_at: solved.solved_at });
    const right = await recordAttempt({ ...pair, correct: true });
    expect(right.json()).toMatchObject({ correct: true, attempts: 3, solved_at: solved.solved_at });
  });

  it('records the earliest correct submitted_at even when attempts arrive out of order', async () => {
    const pair = { user_id: uniqueId(), exercise_id: uniqueId() };
    await recordAttempt({ ...pair, correct: true, submitted_at: '2026-01-02T10:00:00.000Z' });
    const earlier = await recordAttempt({ ...pair, correct: true, submitted_at: '2026-01-01T10:00:00.000Z' });
    expect(earlier.json().solved_at).toBe('2026-01-01T10:00:00.000Z');
    const later = await recordAttempt({ ...pair, correct: true, submitted_at: '2026-01-03T10:00:00.000Z' });
    expect(later.json()).toMatchObject({ solved_at: '2026-01-01T10:00:00.000Z', attempts: 3 });
  });

  it('applies an attempt once per Idempotency-Key, however often it is delivered', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: true };
    const headers = { ...harness.exercisesService, 'idempotency-key': `evt-${uniqueId()}` };
    const first = await recordAttempt(body, headers);
    expect(first.statusCode).toBe(201);
    const again = await recordAttempt(body, headers);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const other = await recordAttempt({ ...body, correct: false }, { ...harness.exercisesService, 'idempotency-key': `evt-${uniqueId()}` });
    expect(other.json().attempts).toBe(2);
  });

  it('counts concurrent deliveries of one event once', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: false };
    const headers = { ...harness.exercisesService, 'idempotency-key': `evt-${uniqueId()}` };
    const responses = await Promise.all(Array.from({ length: 6 }, () => recordAttempt(body, headers)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const list = await app.inject({ method: 'GET', url: `/scores?user_id=${body.user_id}` });
    expect(list.json()).toEqual([expect.objectContaining({ attempts: 1 })]);
  });

  it('counts concurrent distinct attempts on a new pair without losing any', async () => {
    const pair = { user_id: uniqueId(), exercise_id: uniqueId() };
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        recordAttempt({ ...pair, correct: i === 2 }, { ...harness.exercisesService, 'idempotency-key': `evt-${uniqueId()}` }),
      ),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    const list = await app.inject({ method: 'GET', url: `/scores?user_id=${pair.user_id}` });
    expect(list.json()).toEqual([expect.objectContaining({ attempts: 5, correct: true })]);
  });

  it('returns 409 when an Idempotency-Key is reused for a different attempt', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: false };
    const headers = { ...harness.exercisesService, 'idempotency-key': `evt-${uniqueId()}` };
    await recordAttempt(body, headers);
    const reused = await recordAttempt({ ...body, correct: true }, headers);
    expect(reused.statusCode).toBe(409);
    expect(reused.json().errors).toHaveProperty('idempotency-key');
    const list = await app.inject({ method: 'GET', url: `/scores?user_id=${body.user_id}` });
    expect(list.json()).toEqual([expect.objectContaining({ attempts: 1, correct: false })]);
  });

  it('keeps idempotency keys apart per caller', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: false };
    const key = `evt-${uniqueId()}`;
    await recordAttempt(body, { ...harness.exercisesService, 'idempotency-key': key });
    const byAdmin = await recordAttempt(body, { ...harness.admin, 'idempotency-key': key });
    expect(byAdmin.json().attempts).toBe(2);
  });

  it('returns 403 when a user records an attempt, and 400 for a bad key or body', async () => {
    const body = { user_id: uniqueId(), exercise_id: uniqueId(), correct: true };
    expect((await recordAttempt(body, await harness.userAuth(body.user_id))).statusCode).toBe(403);
    expect((await recordAttempt(body, {})).statusCode).toBe(401);
    const badKey = await recordAttempt(body, { ...harness.exercisesService, 'idempotency-key': 'has spaces in it' });
    expect(badKey.statusCode).toBe(400);
    const badTime = await recordAttempt({ ...body, submitted_at: 'yesterday' });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().errors).toHaveProperty('submitted_at');
    const list = await app.inject({ method: 'GET', url: `/scores?user_id=${body.user_id}` });
    expect(list.json()).toEqual([]);
  });

  it('answers JSON 405 with Allow for a wrong method', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/scores' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toContain('PATCH');
    expect(response.json()).toMatchObject({ statusCode: 405 });
  });
});

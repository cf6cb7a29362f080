import { describeEachDatabase, serviceBearer } from '@codeyard/test-kit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { fakeEval } from './fake-eval.js';
import { type ExercisesHarness, jsExercise, startExercises } from './helpers.js';

describeEachDatabase('exercises', (target) => {
  let harness: ExercisesHarness;
  let app: ExercisesHarness['app'];
  const sandbox = fakeEval();
  beforeAll(async () => {
    harness = await startExercises(target, { eval: sandbox.client });
    app = harness.app;
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    sandbox.state.down = false;
    sandbox.state.reply = undefined;
    sandbox.state.calls.length = 0;
  });

  const create = (body: Record<string, unknown>, headers: Record<string, string> = harness.admin) =>
    app.inject({ method: 'POST', url: '/exercises', headers, payload: body });
  const titles = async (query = 'limit=100') =>
    (await app.inject({ method: 'GET', url: `/exercises?${query}` })).json().map((e: { title: string }) => e.title) as string[];

  // create -----------------------------------------------------------------------------------

  it('creates an exercise after its solution passes every test: 201, Location, the admin view', async () => {
    const body = jsExercise();
    const response = await create(body);
    expect(response.statusCode).toBe(201);
    const exercise = response.json();
    expect(response.headers.location).toBe(`/api/v1/exercises/${exercise.id}`);
    expect(exercise).toEqual({
      id: expect.any(Number),
      title: body.title,
      body: body.body,
      language: 'javascript',
      difficulty: 'medium',
      entrypoint: 'add',
      starter_code: body.starter_code,
      examples: body.examples,
      tests: body.tests,
      solution: body.solution,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    // The sandbox ran the reference solution against the examples and then the hidden tests.
    expect(sandbox.state.calls).toEqual([
      { language: 'javascript', code: body.solution, entrypoint: 'add', tests: [...body.examples, ...body.tests] },
    ]);
  });

  it('shows everyone the exercise without its hidden tests or solution', async () => {
    const exercise = (await create(jsExercise())).json();
    for (const headers of [{}, await harness.userAuth(5)]) {
      const one = await app.inject({ method: 'GET', url: `/exercises/${exercise.id}`, headers });
      expect(one.statusCode).toBe(200);
      expect(one.json()).not.toHaveProperty('tests');
      expect(one.json()).not.toHaveProperty('solution');
      expect(one.json().examples).toEqual(exercise.examples);
      const list = await app.inject({ method: 'GET', url: '/exercises?limit=100', headers });
      const listed = list.json().find((e: { id: number }) => e.id === exercise.id);
      expect(listed).toEqual(one.json());
      expect(list.body).not.toContain(exercise.solution);
    }
  });

  it('returns 400 with every failing test in errors when the reference solution is wrong, and stores nothing', async () => {
    const body = jsExercise({ solution: 'function add(a, b) { return a > 0 ? a + b : 0; }' });
    const response = await create(body);
    expect(response.statusCode).toBe(400);
    const error = response.json();
    expect(error).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(error.message).toContain("does not pass the exercise's own tests");
    // add(-1, 1) = 0 passes by luck; add(-7, -8) is the third hidden test.
    expect(error.errors).toEqual({
      solution: 'fails 1 of 5 tests (test 5)',
      'tests.2': 'failed: expected -15, got 0',
    });
    expect(await titles()).not.toContain(body.title);
  });

  it('returns 400 naming the solution when it does not even define the entrypoint', async () => {
    const response = await create(jsExercise({ solution: 'const nothing = 1;' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toMatchObject({ solution: 'fails 5 of 5 tests (test 1, test 2, test 3, test 4, test 5)' });
    expect(response.json().errors['examples.0']).toContain('add is not defined');
  });

  it('returns 503 with Retry-After when the sandbox is down, and stores nothing', async () => {
    sandbox.state.down = true;
    const body = jsExercise();
    const response = await create(body);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    sandbox.state.down = false;
    expect(await titles()).not.toContain(body.title);
  });

  it('returns 400 on the solution field when the sandbox refuses to run it', async () => {
    sandbox.state.reply = { status: 400, body: { statusCode: 400, message: 'The program is too large to run' } };
    const response = await create(jsExercise());
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual({ solution: 'The program is too large to run' });
  });

  it('returns 409 when the title is taken in any letter case', async () => {
    const first = jsExercise();
    await create(first);
    const response = await create(jsExercise({ title: first.title.toUpperCase() }));
    expect(response.statusCode).toBe(409);
    expect(response.json().errors).toEqual({ title: 'is already used' });
  });

  it('returns 401 without a token or with a service credential (exercises accepts none) and 403 for users', async () => {
    const body = jsExercise();
    expect((await create(body, {})).statusCode).toBe(401);
    expect((await create(body, await harness.userAuth(7))).statusCode).toBe(403);
    expect((await create(body, { authorization: await serviceBearer('scores') })).statusCode).toBe(401);
    expect(sandbox.state.calls).toHaveLength(0);
    expect(await titles()).not.toContain(body.title);
  });

  it.each([
    ['an unknown language', { language: 'cobol' }, 'language'],
    ['an entrypoint that is not a name', { entrypoint: 'add()' }, 'entrypoint'],
    ['no examples', { examples: [] }, 'examples'],
    ['no hidden tests', { tests: undefined }, 'tests'],
    ['args that are not an array', { tests: [{ args: 1, expected: 1 }] }, 'tests.0.args'],
    ['a test without expected', { tests: [{ args: [1, 2] }] }, 'tests.0.expected'],
    ['an empty solution', { solution: '' }, 'solution'],
    ['a blank title', { title: '   ' }, 'title'],
  ])('returns 400 naming the field for %s', async (_label, override, field) => {
    const response = await create({ ...jsExercise(), ...override });
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().errors)).toContain(field);
    expect(sandbox.state.calls).toHaveLength(0);
  });

  // read -------------------------------------------------------------------------------------

  it('returns 404 for an unknown exercise and 400 for a malformed id', async () => {
    const missing = await app.inject({ method: 'GET', url: '/exercises/99999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('Exercise 99999999 does not exist');
    for (const bad of ['abc', '0', '01', '2147483648']) {
      expect((await app.inject({ method: 'GET', url: `/exercises/${bad}` })).statusCode, bad).toBe(400);
    }
  });

  it('lists in course order (oldest first), filters by language and pages with Link', async () => {
    const language = 'typescript';
    const made: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const body = jsExercise({ language, solution: 'function add(a: number, b: number) { return a + b; }' });
      // The fake sandbox runs JavaScript; this solution only needs to look like TypeScript to the service.
      body.solution = 'function add(a, b) { return a + b; }';
      made.push((await create(body)).json().id);
    }
    const first = await app.inject({
      method: 'GET',
      url: `/exercises?language=${language}&limit=2`,
      headers: { 'x-forwarded-prefix': '/api/v1' },
    });
    expect(first.json().map((e: { id: number }) => e.id)).toEqual(made.slice(0, 2));
    const next = /^<\/api\/v1(\/exercises\?[^>]+)>; rel="next"$/.exec(String(first.headers.link))?.[1];
    expect(next).toBeDefined();
    const second = await app.inject({ method: 'GET', url: String(next) });
    expect(second.json().map((e: { id: number }) => e.id)).toEqual(made.slice(2));
    expect(second.headers.link).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/exercises?language=cobol' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/exercises?limit=101' })).statusCode).toBe(400);
  });

  it('stores the difficulty given (medium when left out) and filters the list by it, with language and across pages', async () => {
    const hard = [(await create(jsExercise({ difficulty: 'hard' }))).json(), (await create(jsExercise({ difficulty: 'hard' }))).json()];
    const easy = (await create(jsExercise({ difficulty: 'easy' }))).json();
    const unsaid = (await create(jsExercise())).json();
    expect([...hard.map((e) => e.difficulty), easy.difficulty, unsaid.difficulty]).toEqual(['hard', 'hard', 'easy', 'medium']);
    expect(await titles('difficulty=hard&limit=100')).toEqual(expect.arrayContaining(hard.map((e) => e.title)));
    expect(await titles('difficulty=hard&limit=100')).not.toContain(easy.title);
    expect(await titles('difficulty=easy&language=javascript&limit=100')).toContain(easy.title);
    expect(await titles('difficulty=easy&language=python&limit=100')).not.toContain(easy.title);
    expect(await titles('difficulty=medium&limit=100')).toContain(unsaid.title);
    // the next page keeps the filter
    const all = await titles('difficulty=hard&limit=100');
    const first = await app.inject({ method: 'GET', url: `/exercises?difficulty=hard&limit=${all.length - 1}` });
    const next = /^<(\/exercises\?[^>]+)>; rel="next"$/.exec(String(first.headers.link))?.[1];
    expect(next).toContain('difficulty=hard');
    const rest = (await app.inject({ method: 'GET', url: String(next) })).json();
    expect(rest.map((e: { title: string }) => e.title)).toEqual([all[all.length - 1]]);
  });

  it('returns 400 naming the field for an unknown difficulty, in the body and in the query', async () => {
    const response = await create(jsExercise({ difficulty: 'impossible' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual({ difficulty: 'must be one of easy, medium, hard' });
    expect(sandbox.state.calls).toEqual([]);
    const list = await app.inject({ method: 'GET', url: '/exercises?difficulty=extreme' });
    expect(list.statusCode).toBe(400);
    expect(list.json().errors).toEqual({ difficulty: 'must be one of easy, medium, hard' });
  });

  // update and delete ------------------------------------------------------------------------

  it('replaces an exercise with PUT after checking the new solution', async () => {
    const exercise = (await create(jsExercise())).json();
    const changed = jsExercise({ title: `${exercise.title} (revised)`, tests: [{ args: [100, 1], expected: 101 }], difficulty: 'easy' });
    const response = await app.inject({ method: 'PUT', url: `/exercises/${exercise.id}`, headers: harness.admin, payload: changed });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: exercise.id,
      title: changed.title,
      tests: changed.tests,
      difficulty: 'easy',
      created_at: exercise.created_at,
    });
    // Keeping one's own title is no conflict.
    const same = await app.inject({ method: 'PUT', url: `/exercises/${exercise.id}`, headers: harness.admin, payload: changed });
    expect(same.statusCode).toBe(200);
  });

  it('refuses a PUT whose solution fails, or whose title belongs to another exercise, and changes nothing', async () => {
    const exercise = (await create(jsExercise())).json();
    const other = (await create(jsExercise())).json();
    const failing = await app.inject({
      method: 'PUT',
      url: `/exercises/${exercise.id}`,
      headers: harness.admin,
      payload: jsExercise({ title: exercise.title, solution: 'function add(a, b) { return a * b; }' }),
    });
    expect(failing.statusCode).toBe(400);
    expect(failing.json().errors.solution).toMatch(/^fails \d of 5 tests/);
    const taken = await app.inject({
      method: 'PUT',
      url: `/exercises/${exercise.id}`,
      headers: harness.admin,
      payload: jsExercise({ title: other.title }),
    });
    expect(taken.statusCode).toBe(409);
    const now = await app.inject({ method: 'GET', url: `/exercises/${exercise.id}`, headers: harness.admin });
    expect(now.json()).toEqual(exercise);
  });

  it('returns 404 for PUT and DELETE of an unknown exercise and 403 for users', async () => {
    const put = await app.inject({ method: 'PUT', url: '/exercises/99999999', headers: harness.admin, payload: jsExercise() });
    expect(put.statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/exercises/99999999', headers: harness.admin })).statusCode).toBe(404);
    const exercise = (await create(jsExercise())).json();
    const user = await harness.userAuth(8);
    expect((await app.inject({ method: 'PUT', url: `/exercises/${exercise.id}`, headers: user, payload: jsExercise() })).statusCode).toBe(
      403,
    );
    expect((await app.inject({ method: 'DELETE', url: `/exercises/${exercise.id}`, headers: user })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/exercises/${exercise.id}` })).statusCode).toBe(200);
  });

  it('deletes an exercise: 200, then it is gone', async () => {
    const exercise = (await create(jsExercise())).json();
    const response = await app.inject({ method: 'DELETE', url: `/exercises/${exercise.id}`, headers: harness.admin });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: `Exercise ${exercise.id} deleted` });
    expect((await app.inject({ method: 'GET', url: `/exercises/${exercise.id}` })).statusCode).toBe(404);
  });

  it('publishes an OpenAPI document with the exercise routes', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/exercises', '/exercises/{id}', '/exercises/{id}/submissions', '/submissions/{id}']));
  });
});

import { encodeCursor } from '@codeyard/service-kit';
import { createTestIssuer, describeEachDatabase, serviceBearer, type TestIssuer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PostsServer, someVoter, startPostsServer, startVotes, type VotesHarness } from './helpers.js';

describeEachDatabase('votes: voting, tallies, top and rank', (target) => {
  let issuer: TestIssuer;
  let posts: PostsServer;
  let votes: VotesHarness;
  let app: VotesHarness['app'];
  beforeAll(async () => {
    issuer = await createTestIssuer();
    posts = await startPostsServer(target, issuer);
    votes = await startVotes(target, { issuer, postsUrl: posts.url });
    app = votes.app;
  });
  afterAll(async () => {
    await votes.close();
    await posts.close();
  });

  const auth = async (user: { id: number; username: string }) => ({ authorization: await issuer.bearer(user) });
  async function put(user: { id: number; username: string }, postId: number | string, direction: unknown) {
    return app.inject({ method: 'PUT', url: `/votes/${postId}`, headers: await auth(user), payload: { direction } });
  }
  const tallyOf = async (postId: number) => (await app.inject({ method: 'GET', url: `/votes/${postId}` })).json();
  let communities = 0;
  const freshCommunity = () => {
    communities += 1;
    return `votes_${process.pid}_${communities}`;
  };
  const newPost = async (author = someVoter(), name = freshCommunity()) => posts.createPost(author, name);

  // casting ----------------------------------------------------------------------------------

  it('records an upvote and answers the tally with my vote', async () => {
    const postId = await newPost();
    const response = await put(someVoter(), postId, 'up');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ post_id: postId, upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' });
  });

  it('keeps one vote per user: changing it moves the tally, none retracts it', async () => {
    const postId = await newPost();
    const voter = someVoter();
    expect((await put(voter, postId, 'up')).json()).toMatchObject({ upvotes: 1, downvotes: 0, score: 1 });
    expect((await put(voter, postId, 'up')).json()).toMatchObject({ upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' });
    expect((await put(voter, postId, 'down')).json()).toMatchObject({ upvotes: 0, downvotes: 1, score: -1, my_vote: 'down' });
    expect((await put(voter, postId, 'none')).json()).toEqual({ post_id: postId, upvotes: 0, downvotes: 0, score: 0, my_vote: 'none' });
    expect((await put(voter, postId, 'none')).json()).toMatchObject({ score: 0, my_vote: 'none' });
    expect(await tallyOf(postId)).toEqual({ post_id: postId, upvotes: 0, downvotes: 0, score: 0 });
  });

  it('adds up votes from many users', async () => {
    const postId = await newPost();
    for (const direction of ['up', 'up', 'up', 'down', 'none']) await put(someVoter(), postId, direction);
    expect(await tallyOf(postId)).toEqual({ post_id: postId, upvotes: 3, downvotes: 1, score: 2 });
  });

  it('makes upvote and downvote idempotent per user', async () => {
    const postId = await newPost();
    const voter = someVoter();
    const headers = await auth(voter);
    const up = () => app.inject({ method: 'POST', url: `/votes/${postId}/upvote`, headers });
    const down = () => app.inject({ method: 'POST', url: `/votes/${postId}/downvote`, headers });
    expect((await up()).json()).toEqual({ post_id: postId, upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' });
    expect((await up()).json()).toEqual({ post_id: postId, upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' });
    expect((await down()).json()).toEqual({ post_id: postId, upvotes: 0, downvotes: 1, score: -1, my_vote: 'down' });
    const again = await down();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ post_id: postId, upvotes: 0, downvotes: 1, score: -1, my_vote: 'down' });
  });

  it('answers zeros for a post nobody voted on', async () => {
    const response = await app.inject({ method: 'GET', url: '/votes/777777' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ post_id: 777777, upvotes: 0, downvotes: 0, score: 0 });
  });

  it('returns 401 without a token and 403 for a service credential (posts: it may only announce deletions), recording nothing', async () => {
    const postId = await newPost();
    for (const [method, url, payload] of [
      ['PUT', `/votes/${postId}`, { direction: 'up' }],
      ['POST', `/votes/${postId}/upvote`, undefined],
      ['POST', `/votes/${postId}/downvote`, undefined],
    ] as const) {
      expect((await app.inject({ method, url, payload })).statusCode).toBe(401);
      const service = await app.inject({ method, url, payload, headers: { authorization: await serviceBearer('posts') } });
      expect(service.statusCode).toBe(403);
    }
    expect(await tallyOf(postId)).toMatchObject({ score: 0, upvotes: 0 });
  });

  it.each([
    ['an unknown direction', { direction: 'sideways' }],
    ['a number', { direction: 1 }],
    ['null', { direction: null }],
    ['upper case', { direction: 'UP' }],
    ['no direction', {}],
    ['a huge string', { direction: 'u'.repeat(100_000) }],
  ])('returns 400 for %s and records nothing', async (_label, payload) => {
    const postId = await newPost();
    const response = await app.inject({ method: 'PUT', url: `/votes/${postId}`, headers: await auth(someVoter()), payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('direction');
    expect(await tallyOf(postId)).toMatchObject({ score: 0 });
  });

  it.each(['abc', '0', '-1', '2.5', '99999999999999999999'])('returns 400 for the post id %s', async (id) => {
    const headers = await auth(someVoter());
    for (const [method, url] of [
      ['PUT', `/votes/${id}`],
      ['POST', `/votes/${id}/upvote`],
      ['GET', `/votes/${id}`],
    ] as const) {
      const response = await app.inject({ method, url, headers, payload: method === 'PUT' ? { direction: 'up' } : undefined });
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      expect(response.json().errors).toHaveProperty('post_id');
    }
  });

  it('returns 400 for malformed JSON and 415 for a body that is not JSON', async () => {
    const headers = { ...(await auth(someVoter())), 'content-type': 'application/json' };
    expect((await app.inject({ method: 'PUT', url: '/votes/1', headers, payload: '{"direction":' })).statusCode).toBe(400);
    const text = await app.inject({ method: 'PUT', url: '/votes/1', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'up' });
    expect(text.statusCode).toBe(415);
  });

  it('keeps tallies and karma events exact under concurrent votes, changes and retractions by the same users', async () => {
    const author = someVoter();
    const postId = await newPost(author);
    const voters = Array.from({ length: 10 }, () => someVoter());
    const directions = ['up', 'down', 'none'] as const;
    const requests = Array.from({ length: 150 }, (_, i) =>
      put(voters[i % 10] as ReturnType<typeof someVoter>, postId, directions[(i * 7 + Math.floor(i / 10)) % 3]),
    );
    const responses = await Promise.all(requests);
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    const finalVotes = await votes.database.db.selectFrom('votes').select('direction').where('post_id', '=', postId).execute();
    const up = finalVotes.filter((v) => v.direction === 1).length;
    const down = finalVotes.filter((v) => v.direction === -1).length;
    expect(await tallyOf(postId)).toEqual({ post_id: postId, upvotes: up, downvotes: down, score: up - down });
    // the karma events for the author add up to exactly the final score
    const events = await votes.database.db.selectFrom('outbox').select('body').where('path', '=', `/users/${author.id}/karma`).execute();
    const karma = events.reduce((sum, event) => sum + (JSON.parse(event.body) as { delta: number }).delta, 0);
    expect(karma).toBe(up - down);
  });

  // top ----------------------------------------------------------------------------------------

  it('lists the top posts by score, ties newest first, per community too', async () => {
    const name = `top_${process.pid}`;
    const ids = [
      await newPost(someVoter(), name),
      await newPost(someVoter(), name),
      await newPost(someVoter(), name),
      await newPost(someVoter(), name),
    ];
    const [a, b, c, d] = ids as [number, number, number, number];
    // scores: a 3, b 1, c 3, d -1
    for (let i = 0; i < 3; i += 1) await put(someVoter(), a, 'up');
    await put(someVoter(), b, 'up');
    for (let i = 0; i < 3; i += 1) await put(someVoter(), c, 'up');
    await put(someVoter(), d, 'down');
    const response = await app.inject({ method: 'GET', url: `/votes/top?community=${name}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { post_id: c, upvotes: 3, downvotes: 0, score: 3 },
      { post_id: a, upvotes: 3, downvotes: 0, score: 3 },
      { post_id: b, upvotes: 1, downvotes: 0, score: 1 },
      { post_id: d, upvotes: 0, downvotes: 1, score: -1 },
    ]);
    const overall = (await app.inject({ method: 'GET', url: '/votes/top?limit=100' })).json() as { post_id: number; score: number }[];
    const scores = overall.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(overall.map((t) => t.post_id)).toEqual(expect.arrayContaining(ids));
  });

  it('pages the top list with limit, before and Link', async () => {
    const name = `page_${process.pid}`;
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const id = await newPost(someVoter(), name);
      ids.push(id);
      await put(someVoter(), id, 'up');
    }
    const seen: number[] = [];
    let url: string | undefined = `/votes/top?community=${name}&limit=2`;
    let pages = 0;
    while (url) {
      const response = await app.inject({ method: 'GET', url });
      seen.push(...response.json().map((t: { post_id: number }) => t.post_id));
      const link: string = String(response.headers.link ?? '');
      url = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('returns an empty top list for a community nobody voted in', async () => {
    const response = await app.inject({ method: 'GET', url: '/votes/top?community=quiet_place' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it.each([
    ['limit=0'],
    ['limit=-5'],
    ['limit=101'],
    ['limit=abc'],
    ['limit=99999999999999999999'],
    ['community=Not_Valid'],
    ['community=a'],
    ['community=has-dash'],
    [`before=${encodeCursor({ id: 3 })}`],
    [`before=${encodeCursor({ score: 'x', id: 1 })}`],
    ['before=%%%'],
    [`before=${'A'.repeat(300)}`],
  ])('returns 400 for the top list with %s', async (query) => {
    const response = await app.inject({ method: 'GET', url: `/votes/top?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  // rank ---------------------------------------------------------------------------------------

  it('ranks the given posts by score, unvoted ones at 0, each once', async () => {
    const [a, b, c] = [await newPost(), await newPost(), await newPost()];
    await put(someVoter(), a, 'down');
    await put(someVoter(), b, 'up');
    await put(someVoter(), b, 'up');
    const response = await app.inject({ method: 'POST', url: '/votes/rank', payload: { post_ids: [a, 888888, b, c, a] } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { post_id: b, upvotes: 2, downvotes: 0, score: 2 },
      { post_id: 888888, upvotes: 0, downvotes: 0, score: 0 },
      { post_id: c, upvotes: 0, downvotes: 0, score: 0 },
      { post_id: a, upvotes: 0, downvotes: 1, score: -1 },
    ]);
  });

  it('ranks an empty list and a list of 1000 ids', async () => {
    expect((await app.inject({ method: 'POST', url: '/votes/rank', payload: { post_ids: [] } })).json()).toEqual([]);
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    const response = await app.inject({ method: 'POST', url: '/votes/rank', payload: { post_ids: ids } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toHaveLength(1000);
  });

  it.each([
    ['1001 ids', { post_ids: Array.from({ length: 1001 }, (_, i) => i + 1) }],
    ['string ids', { post_ids: ['1', '2'] }],
    ['a fractional id', { post_ids: [1.5] }],
    ['a negative id', { post_ids: [-1] }],
    ['zero', { post_ids: [0] }],
    ['an id beyond 32 bits', { post_ids: [2_147_483_648] }],
    ['an id beyond 53 bits', { post_ids: [2 ** 53 + 2] }],
    ['not an array', { post_ids: 5 }],
    ['a missing list', {}],
  ])('returns 400 for rank with %s', async (_label, payload) => {
    const response = await app.inject({ method: 'POST', url: '/votes/rank', payload });
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().errors).join()).toContain('post_ids');
  });

  it('ranks the largest 32-bit id like any other', async () => {
    const response = await app.inject({ method: 'POST', url: '/votes/rank', payload: { post_ids: [2_147_483_647] } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([{ post_id: 2_147_483_647, upvotes: 0, downvotes: 0, score: 0 }]);
  });

  it('returns 400 for a top-list cursor with an id or score beyond 32 bits', async () => {
    for (const cursor of [{ score: 0, id: 2_147_483_648 }, { score: 2_147_483_648, id: 1 }, { score: -2_147_483_648, id: 1 }]) {
      const response = await app.inject({ method: 'GET', url: `/votes/top?before=${encodeCursor(cursor)}` });
      expect(response.statusCode, JSON.stringify(cursor)).toBe(400);
      expect(response.json().errors).toHaveProperty('before');
    }
  });

  // batch tallies ------------------------------------------------------------------------------

  it('answers the tallies of several posts in the order asked, zeros for unvoted ones, each once', async () => {
    const [a, b] = [await newPost(), await newPost()];
    await put(someVoter(), a, 'up');
    await put(someVoter(), b, 'down');
    await put(someVoter(), b, 'down');
    const response = await app.inject({ method: 'GET', url: `/votes?post_ids=${b},888889,${a},${b}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { post_id: b, upvotes: 0, downvotes: 2, score: -2 },
      { post_id: 888889, upvotes: 0, downvotes: 0, score: 0 },
      { post_id: a, upvotes: 1, downvotes: 0, score: 1 },
    ]);
  });

  it("adds the caller's own vote to each tally when signed in", async () => {
    const [a, b, c] = [await newPost(), await newPost(), await newPost()];
    const me = someVoter();
    await put(me, a, 'up');
    await put(me, b, 'down');
    await put(someVoter(), c, 'up');
    const response = await app.inject({ method: 'GET', url: `/votes?post_ids=${a},${b},${c}`, headers: await auth(me) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { post_id: a, upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' },
      { post_id: b, upvotes: 0, downvotes: 1, score: -1, my_vote: 'down' },
      { post_id: c, upvotes: 1, downvotes: 0, score: 1, my_vote: 'none' },
    ]);
  });

  it('answers 100 tallies in one request', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => 2_147_483_647 - i);
    const response = await app.inject({ method: 'GET', url: `/votes?post_ids=${ids.join(',')}` });
    expect(response.statusCode).toBe(200);
    expect(response.json().map((tally: { post_id: number }) => tally.post_id)).toEqual(ids);
  });

  it.each([
    ['no list', ''],
    ['an empty list', '?post_ids='],
    ['101 ids', `?post_ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`],
    ['an id beyond 32 bits', '?post_ids=1,2147483648'],
    ['a word', '?post_ids=1,abc'],
    ['a trailing comma', '?post_ids=1,2,'],
    ['a zero', '?post_ids=0'],
    ['a leading zero', '?post_ids=01'],
    ['a fraction', '?post_ids=1.5'],
  ])('returns 400 for batch tallies with %s', async (_label, query) => {
    const response = await app.inject({ method: 'GET', url: `/votes${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json().errors).toHaveProperty('post_ids');
  });

  it('serves its OpenAPI document with every route', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = response.json().paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/votes', '/votes/{post_id}', '/votes/{post_id}/upvote', '/votes/{post_id}/downvote', '/votes/top', '/votes/rank']),
    );
    expect(Object.keys(paths['/votes/{post_id}'])).toEqual(expect.arrayContaining(['get', 'put']));
  });
});

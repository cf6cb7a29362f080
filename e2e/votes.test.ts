import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSignedInUser, uniqueTag } from './http.js';
import { startSystem, type System } from './system.js';

/** The votes section of the contract, and karma across services, through the gateway. */
describe('votes through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  const tag = uniqueTag;
  const newUser = () => newSignedInUser(api, 'vo');
  async function newPost(token: string, community = `votes_${tag()}`) {
    const response = await api('/posts', { method: 'POST', token, json: { title: 'Vote on me', text: '…', community } });
    expect(response.status).toBe(201);
    return response.body.id as number;
  }
  const vote = (token: string, postId: number, direction: string) => api(`/votes/${postId}`, { method: 'PUT', token, json: { direction } });

  /** Polls the author's karma (the relay delivers asynchronously) until it is `expected` or 15 s pass. */
  async function karmaBecomes(userId: number, expected: number) {
    const deadline = Date.now() + 15_000;
    let karma: number | undefined;
    while (Date.now() < deadline) {
      karma = (await api(`/users/${userId}`)).body.karma;
      if (karma === expected) return karma;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return karma;
  }

  it('votes, changes and retracts; the tally is exact and the author karma follows', async () => {
    const author = await newUser();
    const postId = await newPost(author.token);
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    expect((await vote(a.token, postId, 'up')).body).toEqual({ post_id: postId, upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' });
    await vote(b.token, postId, 'up');
    await vote(c.token, postId, 'down');
    expect((await api(`/votes/${postId}`)).body).toEqual({ post_id: postId, upvotes: 2, downvotes: 1, score: 1 });
    expect(await karmaBecomes(author.id, 1)).toBe(1);

    await vote(a.token, postId, 'down'); // −2
    await vote(b.token, postId, 'none'); // −1
    expect((await api(`/votes/${postId}`)).body).toEqual({ post_id: postId, upvotes: 0, downvotes: 2, score: -2 });
    expect(await karmaBecomes(author.id, -2)).toBe(-2);
  });

  it('makes upvote/downvote idempotent and leaves karma untouched by self-votes', async () => {
    const author = await newUser();
    const postId = await newPost(author.token);
    const voter = await newUser();
    for (let i = 0; i < 3; i += 1) {
      const response = await api(`/votes/${postId}/upvote`, { method: 'POST', token: voter.token });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ upvotes: 1, score: 1, my_vote: 'up' });
    }
    const self = await api(`/votes/${postId}/downvote`, { method: 'POST', token: author.token });
    expect(self.body).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, my_vote: 'down' });
    expect(await karmaBecomes(author.id, 1)).toBe(1);
    // still 1 after the relay has drained: a later vote's effect arrives, the self-vote's never does
    const late = await newUser();
    await vote(late.token, postId, 'up');
    expect(await karmaBecomes(author.id, 2)).toBe(2);
  });

  it('lists the top posts overall and per community, and ranks a list of posts', async () => {
    const community = `top_${tag()}`;
    const author = await newUser();
    const [low, high, mid] = [
      await newPost(author.token, community),
      await newPost(author.token, community),
      await newPost(author.token, community),
    ];
    const voters = [await newUser(), await newUser(), await newUser()];
    for (const voter of voters) await vote(voter.token, high, 'up');
    await vote((voters[0] as { token: string }).token, mid, 'up');
    await vote((voters[1] as { token: string }).token, low, 'down');

    const top = await api(`/votes/top?community=${community}&limit=2`);
    expect(top.status).toBe(200);
    expect(top.body).toEqual([
      { post_id: high, upvotes: 3, downvotes: 0, score: 3 },
      { post_id: mid, upvotes: 1, downvotes: 0, score: 1 },
    ]);
    const next = /^<([^>]+)>; rel="next"$/.exec(top.headers.get('link') ?? '')?.[1];
    expect(next).toMatch(/^\/api\/v1\/votes\/top\?/);
    expect((await api(next as string)).body).toEqual([{ post_id: low, upvotes: 0, downvotes: 1, score: -1 }]);

    const overall = await api('/votes/top?limit=100');
    const scores = overall.body.map((t: { score: number }) => t.score);
    expect(scores).toEqual([...scores].sort((x: number, y: number) => y - x));

    const ranked = await api('/votes/rank', { method: 'POST', json: { post_ids: [low, mid, high, 987654321] } });
    expect(ranked.status).toBe(200);
    expect(ranked.body.map((t: { post_id: number }) => t.post_id)).toEqual([high, mid, 987654321, low]);
  });

  it('drops a deleted post from the top lists and rank; votes on it or on a post that never existed are recorded but never rank', async () => {
    const community = `del_${tag()}`;
    const author = await newUser();
    const [kept, deleted] = [await newPost(author.token, community), await newPost(author.token, community)];
    const voter = await newUser();
    await vote(voter.token, deleted, 'up');
    await vote(author.token, deleted, 'up');
    await vote(voter.token, kept, 'up');
    expect((await api(`/votes/top?community=${community}`)).body.map((t: { post_id: number }) => t.post_id)).toEqual([deleted, kept]);

    expect((await api(`/posts/${deleted}`, { method: 'DELETE', token: author.token })).status).toBe(200);
    // posts tells votes through its outbox: wait for it, generously
    const deadline = Date.now() + 20_000;
    let top: number[] = [];
    while (Date.now() < deadline) {
      top = (await api(`/votes/top?community=${community}`)).body.map((t: { post_id: number }) => t.post_id);
      if (!top.includes(deleted)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(top).toEqual([kept]);
    expect(
      (await api('/votes/rank', { method: 'POST', json: { post_ids: [deleted, kept] } })).body.map((t: { post_id: number }) => t.post_id),
    ).toEqual([kept]);
    // API.md: votes does not check that a post exists before recording a vote; such votes never rank
    const late = await vote(voter.token, deleted, 'down');
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ post_id: deleted, my_vote: 'down' });
    expect((await api(`/votes/top?community=${community}`)).body.map((t: { post_id: number }) => t.post_id)).toEqual([kept]);
    const never = 2_000_000_000 + (Date.now() % 100_000_000);
    expect((await vote(voter.token, never, 'up')).status).toBe(200);
    expect(
      (await api('/votes/rank', { method: 'POST', json: { post_ids: [never, kept] } })).body.map((t: { post_id: number }) => t.post_id),
    ).toEqual([kept]);
  });

  it('answers bad input with JSON 4xx, never a 500 or HTML', async () => {
    const user = await newUser();
    const postId = await newPost(user.token);
    const cases: Array<
      [string, { method?: string; json?: unknown; body?: string; token?: string; headers?: Record<string, string> }, number]
    > = [
      [`/votes/${postId}`, { method: 'PUT', token: user.token, json: { direction: 'sideways' } }, 400],
      [`/votes/${postId}`, { method: 'PUT', token: user.token, json: { direction: 1 } }, 400],
      [`/votes/${postId}`, { method: 'PUT', token: user.token, json: { direction: 'u'.repeat(200_000) } }, 400],
      [`/votes/${postId}`, { method: 'PUT', token: user.token, json: {} }, 400],
      [`/votes/${postId}`, { method: 'PUT', token: user.token, headers: { 'content-type': 'application/json' }, body: '{' }, 400],
      [`/votes/${postId}`, { method: 'PUT', json: { direction: 'up' } }, 401],
      [`/votes/${postId}/upvote`, { method: 'POST' }, 401],
      ['/votes/abc', { method: 'PUT', token: user.token, json: { direction: 'up' } }, 400],
      ['/votes/1.5/upvote', { method: 'POST', token: user.token }, 400],
      ['/votes/-1', {}, 400],
      ['/votes/0', {}, 400],
      ['/votes/top?limit=-1', {}, 400],
      ['/votes/top?limit=101', {}, 400],
      ['/votes/top?limit=99999999999999999999', {}, 400],
      ['/votes/top?community=Bad-Name', {}, 400],
      ['/votes/top?before=%%%', {}, 400],
      [`/votes/top?before=${Buffer.from('{"id":1}').toString('base64url')}`, {}, 400],
      ['/votes/rank', { method: 'POST', json: { post_ids: Array.from({ length: 1001 }, (_, i) => i + 1) } }, 400],
      ['/votes/rank', { method: 'POST', json: { post_ids: ['1'] } }, 400],
      ['/votes/rank', { method: 'POST', json: { post_ids: [1.5] } }, 400],
      ['/votes/rank', { method: 'POST', json: 'post_ids' }, 400],
      [`/votes/${postId}`, { method: 'DELETE' }, 405],
    ];
    for (const [path, request, expected] of cases) {
      const response = await api(path, request);
      expect(response.status, `${request.method ?? 'GET'} ${path.slice(0, 80)}`).toBe(expected);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.body.statusCode).toBe(expected);
    }
    expect((await api(`/votes/${postId}`)).body).toEqual({ post_id: postId, upvotes: 0, downvotes: 0, score: 0 });
  });
});

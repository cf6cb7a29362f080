import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestIssuer, describeEachDatabase, serviceBearer, type TestIssuer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { freePort, type PostsServer, someVoter, startPostsServer, startVotes, type VotesHarness } from './helpers.js';

/** A stand-in for posts that answers every request with one fixed status and body. */
async function fixedAnswerServer(status: number, body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * Votes on posts that do not exist (issue 7 item 8): posts' 404 (never a 503 or an unreachable
 * posts) makes a tally gone; gone and unconfirmed tallies stay out of top lists and rank; a
 * deleted post's tally goes when posts' deletion event arrives.
 */
describeEachDatabase('votes: posts that do not exist', (target) => {
  let issuer: TestIssuer;
  let posts: PostsServer;
  let votes: VotesHarness;
  beforeAll(async () => {
    issuer = await createTestIssuer();
    const votesPort = await freePort();
    posts = await startPostsServer(target, issuer, { votesUrl: `http://127.0.0.1:${votesPort}` });
    votes = await startVotes(target, { issuer, postsUrl: posts.url, port: votesPort });
  });
  afterAll(async () => {
    await posts.close();
    await votes.close();
  });

  const vote = async (harness: VotesHarness, postId: number, direction = 'up', voter = someVoter()) =>
    harness.app.inject({
      method: 'PUT',
      url: `/votes/${postId}`,
      headers: { authorization: await harness.issuer.bearer(voter) },
      payload: { direction },
    });
  const topIds = async (harness: VotesHarness, query = 'limit=100') =>
    ((await harness.app.inject({ method: 'GET', url: `/votes/top?${query}` })).json() as { post_id: number }[]).map((t) => t.post_id);
  const rankIds = async (harness: VotesHarness, postIds: number[]) =>
    (
      (await harness.app.inject({ method: 'POST', url: '/votes/rank', payload: { post_ids: postIds } })).json() as { post_id: number }[]
    ).map((t) => t.post_id);
  const tallyRow = (harness: VotesHarness, postId: number) =>
    harness.database.db.selectFrom('post_tallies').selectAll().where('post_id', '=', postId).executeTakeFirst();
  const dueNow = (harness: VotesHarness, postId: number) =>
    harness.database.db
      .updateTable('post_tallies')
      .set({ next_resolve_at: new Date(0).toISOString() })
      .where('post_id', '=', postId)
      .execute();
  let unknownIds = 0;
  const unknownPostId = () => {
    unknownIds += 1;
    return 2_000_000_000 + ((process.pid * 100 + unknownIds) % 100_000_000);
  };

  const karmaEventsFor = async (harness: VotesHarness, authorId: number) =>
    (await harness.database.db.selectFrom('outbox').select('id').where('path', '=', `/users/${authorId}/karma`).execute()).length;

  it('records a vote on a post posts does not know (API.md: no existence check), but marks it gone: never in top or rank', async () => {
    const postId = unknownPostId();
    const [up, down, none] = [someVoter(), someVoter(), someVoter()];
    expect((await vote(votes, postId, 'up', up)).json()).toEqual({ post_id: postId, upvotes: 1, downvotes: 0, score: 1, my_vote: 'up' });
    expect((await vote(votes, postId, 'down', down)).json()).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, my_vote: 'down' });
    expect((await vote(votes, postId, 'none', none)).statusCode).toBe(200);
    const upvote = await votes.app.inject({
      method: 'POST',
      url: `/votes/${postId}/upvote`,
      headers: { authorization: await issuer.bearer(someVoter()) },
    });
    expect(upvote.json()).toMatchObject({ upvotes: 2, downvotes: 1, score: 1, my_vote: 'up' });
    const row = await tallyRow(votes, postId);
    expect(row).toMatchObject({ upvotes: 2, downvotes: 1, author_id: null, next_resolve_at: null });
    expect(row?.gone_at).toEqual(expect.any(String));
    expect((await votes.app.inject({ method: 'GET', url: `/votes/${postId}` })).json()).toMatchObject({ score: 1 });
    expect(await topIds(votes)).not.toContain(postId);
    expect(await rankIds(votes, [postId])).toEqual([]);
  });

  it('marks votes recorded while posts was down gone once posts says 404; they stay out of top and rank, new votes too', async () => {
    const postId = unknownPostId();
    const existing = await posts.createPost(someVoter());
    expect((await vote(votes, existing)).statusCode).toBe(200);
    await posts.stop();
    try {
      for (let i = 0; i < 5; i += 1) expect((await vote(votes, postId)).statusCode).toBe(200);
      // not confirmed by posts: out of top lists; in rank it counts as unvoted
      expect(await topIds(votes)).not.toContain(postId);
      expect(await rankIds(votes, [postId, existing])).toEqual([existing, postId]);
      expect((await votes.app.inject({ method: 'POST', url: '/votes/rank', payload: { post_ids: [postId] } })).json()).toEqual([
        { post_id: postId, upvotes: 0, downvotes: 0, score: 0 },
      ]);
      // posts unreachable: asked again later, never taken for "does not exist"
      await dueNow(votes, postId);
      expect(await votes.resolver.resolveDue()).toBe(0);
      expect(await tallyRow(votes, postId)).toMatchObject({ gone_at: null, author_id: null });
    } finally {
      await posts.start();
    }
    await dueNow(votes, postId);
    await dueNow(votes, existing);
    expect(await votes.resolver.resolveDue()).toBe(1); // existing is confirmed, postId is not
    const row = await tallyRow(votes, postId);
    expect(row).toMatchObject({ upvotes: 5, author_id: null, next_resolve_at: null });
    expect(row?.gone_at).toEqual(expect.any(String));
    expect(await topIds(votes)).toContain(existing);
    expect(await topIds(votes)).not.toContain(postId);
    expect(await rankIds(votes, [postId, existing])).toEqual([existing]);
    expect((await vote(votes, postId)).statusCode).toBe(200);
    expect(await tallyRow(votes, postId)).toMatchObject({ upvotes: 6, gone_at: expect.any(String) });
    expect(await topIds(votes)).not.toContain(postId);
  });

  it("drops a deleted post's tally from the top lists and rank once posts' deletion event arrives; later votes move no karma", async () => {
    const author = someVoter();
    const community = `gone_${process.pid}`;
    const [kept, deleted] = [await posts.createPost(author, community), await posts.createPost(author, community)];
    for (let i = 0; i < 3; i += 1) await vote(votes, deleted);
    await vote(votes, kept);
    expect(await topIds(votes, `community=${community}`)).toEqual([deleted, kept]);

    await posts.deletePost(author, deleted);
    await vi.waitFor(async () => expect(await topIds(votes, `community=${community}`)).toEqual([kept]), { timeout: 15_000, interval: 50 });
    expect(await topIds(votes)).not.toContain(deleted);
    expect(await rankIds(votes, [deleted, kept])).toEqual([kept]);
    // recorded (votes does not check existence), but the post's karma is frozen and it stays out of top lists
    const karmaEvents = await karmaEventsFor(votes, author.id);
    expect((await vote(votes, deleted, 'down')).statusCode).toBe(200);
    expect((await vote(votes, deleted, 'none')).statusCode).toBe(200);
    expect(await tallyRow(votes, deleted)).toMatchObject({ upvotes: 3, downvotes: 1 });
    expect(await karmaEventsFor(votes, author.id)).toBe(karmaEvents);
    expect(await topIds(votes, `community=${community}`)).toEqual([kept]);
    expect(await rankIds(votes, [deleted, kept])).toEqual([kept]);
  });

  it('keeps a post deleted before anyone voted on it gone, even when the deletion arrives first', async () => {
    const author = someVoter();
    const postId = await posts.createPost(author);
    await posts.deletePost(author, postId);
    await vi.waitFor(async () => expect((await tallyRow(votes, postId))?.gone_at).toEqual(expect.any(String)), {
      timeout: 15_000,
      interval: 50,
    });
    expect((await vote(votes, postId)).statusCode).toBe(200);
    expect(await tallyRow(votes, postId)).toMatchObject({ upvotes: 1, score: 1, gone_at: expect.any(String) });
    expect(await karmaEventsFor(votes, author.id)).toBe(0);
    expect(await topIds(votes)).not.toContain(postId);
  });

  it('lets only posts (or an admin) announce a deletion, and a repeat changes nothing', async () => {
    const postId = await posts.createPost(someVoter());
    await vote(votes, postId);
    const announce = (authorization?: string) =>
      votes.app.inject({
        method: 'POST',
        url: `/votes/${postId}/deleted`,
        payload: {},
        ...(authorization && { headers: { authorization } }),
      });
    expect((await announce()).statusCode).toBe(401);
    expect((await announce(await issuer.bearer(someVoter()))).statusCode).toBe(403);
    // votes accepts no other service's credential (401), and not one naming posts with another key
    for (const service of ['votes', 'exercises', 'eval', 'users'])
      expect((await announce(await serviceBearer(service))).statusCode).toBe(401);
    expect((await announce(await serviceBearer('posts', { signedBy: 'votes' }))).statusCode).toBe(401);
    expect(await tallyRow(votes, postId)).toMatchObject({ gone_at: null });
    expect((await announce(await serviceBearer('posts'))).statusCode).toBe(200);
    const goneAt = (await tallyRow(votes, postId))?.gone_at;
    expect(goneAt).toEqual(expect.any(String));
    const again = await announce(await issuer.bearer({ ...someVoter(), admin: true }));
    expect(again.statusCode).toBe(200);
    expect((await tallyRow(votes, postId))?.gone_at).toBe(goneAt);
  });

  it('re-checks posts resolved before the change (migration 091): deleted ones go, existing ones stay', async () => {
    const author = someVoter();
    const [stays, goes] = [await posts.createPost(author), await posts.createPost(author)];
    await vote(votes, stays);
    await vote(votes, goes);
    // deleted with no event (as before posts sent them), then queued for a re-check as the migration does
    await votes.database.db.updateTable('post_tallies').set({ gone_at: null }).where('post_id', 'in', [stays, goes]).execute();
    await posts.deletePost(author, goes);
    await vi.waitFor(async () => expect((await tallyRow(votes, goes))?.gone_at).toEqual(expect.any(String)), {
      timeout: 15_000,
      interval: 50,
    });
    await votes.database.db.updateTable('post_tallies').set({ gone_at: null }).where('post_id', '=', goes).execute();
    await dueNow(votes, stays);
    await dueNow(votes, goes);
    await votes.resolver.resolveDue();
    expect(await tallyRow(votes, stays)).toMatchObject({ gone_at: null, next_resolve_at: null });
    expect((await tallyRow(votes, goes))?.gone_at).toEqual(expect.any(String));
    expect(await topIds(votes)).toContain(stays);
    expect(await topIds(votes)).not.toContain(goes);
  });

  it.each([
    ['answers 503', 503, { statusCode: 503, error: 'Service Unavailable', message: 'down for maintenance' }],
    ['answers 500', 500, { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' }],
    ['is not posts ("no such route")', 404, { statusCode: 404, error: 'Not Found', message: 'Route GET /posts/7 does not exist' }],
  ])('records the vote and keeps asking when POSTS_URL %s', async (_label, status, body) => {
    const fake = await fixedAnswerServer(status, body);
    const harness = await startVotes(target, { issuer, postsUrl: fake.url });
    try {
      const postId = unknownPostId();
      expect((await vote(harness, postId)).statusCode).toBe(200);
      await dueNow(harness, postId);
      expect(await harness.resolver.resolveDue()).toBe(0);
      const row = await tallyRow(harness, postId);
      expect(row).toMatchObject({ gone_at: null, author_id: null, upvotes: 1 });
      expect(Date.parse(row?.next_resolve_at as string)).toBeGreaterThan(Date.now());
      expect(await topIds(harness)).not.toContain(postId);
    } finally {
      await harness.close();
      await fake.close();
    }
  });
});

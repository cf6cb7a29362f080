import { type ServiceClient, startOutboxRelay } from '@codeyard/service-kit';
import { createTestIssuer, describeEachDatabase, type TestIssuer } from '@codeyard/test-kit';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import {
  type PostsServer,
  someVoter,
  startPostsServer,
  startUsersServer,
  startVotes,
  type UsersServer,
  type VotesHarness,
} from './helpers.js';

const silent = pino({ level: 'silent' });

/**
 * Karma across services over real HTTP: votes' outbox → users' POST /users/{id}/karma with the
 * event id as Idempotency-Key. Users is a real users service that these tests stop and restart.
 */
describeEachDatabase('votes: karma reaches users exactly once', (target) => {
  let issuer: TestIssuer;
  let users: UsersServer;
  let posts: PostsServer;
  let votes: VotesHarness;
  const relays: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer();
    users = await startUsersServer(target);
    posts = await startPostsServer(target, issuer);
    votes = await startVotes(target, { issuer, postsUrl: posts.url, usersUrl: users.url });
  });
  afterAll(async () => {
    await votes.close();
    await posts.close();
    await users.close();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  /** A relay of the votes database, delivering only when told (its poll is an hour away). */
  function relay(clients: Record<string, ServiceClient> = votes.relayClients) {
    const started = startOutboxRelay({
      db: votes.database.db,
      clients,
      logger: silent as never,
      pollIntervalMs: 3_600_000,
      maxBackoffMs: 0,
    });
    relays.push(started);
    return started;
  }
  async function vote(voter: { id: number; username: string }, postId: number, direction: 'up' | 'down' | 'none') {
    const response = await votes.app.inject({
      method: 'PUT',
      url: `/votes/${postId}`,
      headers: { authorization: await issuer.bearer(voter) },
      payload: { direction },
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  }
  const pendingFor = async (authorId: number) =>
    (
      await votes.database.db
        .selectFrom('outbox')
        .select('id')
        .where('path', '=', `/users/${authorId}/karma`)
        .where('status', '=', 'pending')
        .execute()
    ).length;

  it('moves the author by +1 per upvote and −1 per downvote, undone by changes and retractions', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    const [a, b, c] = [someVoter(), someVoter(), someVoter()];
    await vote(a, postId, 'up'); // +1
    await vote(b, postId, 'up'); // +1
    await vote(c, postId, 'down'); // −1
    await vote(a, postId, 'down'); // −2 (up → down)
    await vote(b, postId, 'none'); // −1 (retracted)
    await vote(c, postId, 'down'); // no change, no event
    await relay().deliverDue();
    expect(await users.karmaOf(author.id)).toBe(-2);
    expect(await pendingFor(author.id)).toBe(0);
    const events = await votes.database.db.selectFrom('outbox').select('body').where('path', '=', `/users/${author.id}/karma`).execute();
    expect(events.map((e) => JSON.parse(e.body).delta)).toEqual(expect.arrayContaining([1, 1, -1, -2, -1]));
    expect(events).toHaveLength(5);
  });

  it('counts a self-vote in the tally but not in karma', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    const tally = await vote(author, postId, 'up');
    expect(tally).toMatchObject({ upvotes: 1, score: 1 });
    await vote(someVoter(), postId, 'up');
    await relay().deliverDue();
    expect(await users.karmaOf(author.id)).toBe(1);
  });

  it('keeps votes and their events while users is down, and converges exactly once users is back', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    await users.stop();
    try {
      const voters = Array.from({ length: 12 }, () => someVoter());
      for (const [i, voter] of voters.entries()) await vote(voter, postId, i % 4 === 0 ? 'down' : 'up'); // 9 up, 3 down
      await vote(voters[1] as { id: number; username: string }, postId, 'none'); // one up retracted
      const whileDown = relay();
      expect(await whileDown.deliverDue()).toBe(0);
      expect(await whileDown.deliverDue()).toBe(0);
      expect(await pendingFor(author.id)).toBe(13);
      expect((await votes.app.inject({ method: 'GET', url: `/votes/${postId}` })).json()).toMatchObject({
        upvotes: 8,
        downvotes: 3,
        score: 5,
      });
    } finally {
      await users.start();
    }
    await relay().deliverDue();
    expect(await pendingFor(author.id)).toBe(0);
    expect(await users.karmaOf(author.id)).toBe(5);
    // nothing left to deliver, and delivering again changes nothing
    await relay().deliverDue();
    expect(await users.karmaOf(author.id)).toBe(5);
  });

  it('does not double karma when the relay crashes between the send and marking it sent', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    for (let i = 0; i < 5; i += 1) await vote(someVoter(), postId, 'up');
    const realClient = votes.relayClients.users as ServiceClient;
    let sends = 0;
    const crashAfterSend: ServiceClient = async (method, path, request) => {
      const response = await realClient(method, path, request);
      sends += 1;
      throw new Error(`relay died after users answered ${response.status}`);
    };
    expect(await relay({ users: crashAfterSend }).deliverDue()).toBe(0);
    expect(sends).toBe(5);
    expect(await users.karmaOf(author.id)).toBe(5);
    expect(await pendingFor(author.id)).toBe(5);

    // The restarted relay sends all five again; users recognises every Idempotency-Key.
    expect(await relay().deliverDue()).toBe(5);
    expect(await pendingFor(author.id)).toBe(0);
    expect(await users.karmaOf(author.id)).toBe(5);
  });

  it('records a vote while posts is down and sends the karma of every vote cast meanwhile once the author is known', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    await posts.stop();
    try {
      await vote(someVoter(), postId, 'up');
      await vote(someVoter(), postId, 'up');
      await vote(author, postId, 'down'); // self-vote: in the tally, never in karma
      const v = someVoter();
      await vote(v, postId, 'up');
      await vote(v, postId, 'down');
      expect((await votes.app.inject({ method: 'GET', url: `/votes/${postId}` })).json()).toMatchObject({
        upvotes: 2,
        downvotes: 2,
        score: 0,
      });
      expect(await votes.resolver.resolveDue()).toBe(0);
      expect(await pendingFor(author.id)).toBe(0);
    } finally {
      await posts.start();
    }
    // as if the retry time had come
    await votes.database.db
      .updateTable('post_tallies')
      .set({ next_resolve_at: new Date(0).toISOString() })
      .where('post_id', '=', postId)
      .execute();
    expect(await votes.resolver.resolveDue()).toBe(1);
    const tally = await votes.database.db.selectFrom('post_tallies').selectAll().where('post_id', '=', postId).executeTakeFirstOrThrow();
    expect(tally).toMatchObject({ author_id: author.id, community: 'testing', next_resolve_at: null });
    await relay().deliverDue();
    expect(await users.karmaOf(author.id)).toBe(1); // +1 +1 −1, the author's own −1 left out

    // later votes send their own events
    await vote(someVoter(), postId, 'up');
    await relay().deliverDue();
    expect(await users.karmaOf(author.id)).toBe(2);
  });

  it('resolves an unknown post on a later vote once posts answers, without waiting for the resolver', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    await posts.stop();
    try {
      await vote(someVoter(), postId, 'up');
    } finally {
      await posts.start();
    }
    await votes.database.db
      .updateTable('post_tallies')
      .set({ next_resolve_at: new Date(0).toISOString() })
      .where('post_id', '=', postId)
      .execute();
    await vote(someVoter(), postId, 'up');
    await relay().deliverDue();
    expect(await users.karmaOf(author.id)).toBe(2);
  });

  it('delivers on its own right after the vote commits when the relay runs in the service', async () => {
    const own = await startVotes(target, {
      issuer,
      postsUrl: posts.url,
      usersUrl: users.url,
      env: { OUTBOX_RELAY: 'true', OUTBOX_POLL_MS: '600000' },
    });
    try {
      const author = await users.createUser();
      const postId = await posts.createPost(author);
      await own.app.inject({
        method: 'POST',
        url: `/votes/${postId}/upvote`,
        headers: { authorization: await issuer.bearer(someVoter()) },
      });
      await vi.waitFor(async () => expect(await users.karmaOf(author.id)).toBe(1), { timeout: 10_000, interval: 25 });
      // users may have applied it a moment before the relay marks it sent
      await vi.waitFor(async () => expect(await own.relay?.pending()).toBe(0), { timeout: 10_000, interval: 25 });
    } finally {
      await own.close();
    }
  });

  it('keeps tallies and karma exact for 2 000 concurrent votes by distinct users on one post', async () => {
    const author = await users.createUser();
    const postId = await posts.createPost(author);
    const voters = Array.from({ length: 2000 }, () => someVoter());
    const tokens = await Promise.all(voters.map((voter) => issuer.bearer(voter)));
    const started = performance.now();
    const responses = await Promise.all(
      tokens.map((authorization, i) =>
        votes.app.inject({ method: 'POST', url: `/votes/${postId}/${i % 5 === 0 ? 'down' : 'up'}vote`, headers: { authorization } }),
      ),
    );
    const voteMs = Math.round(performance.now() - started);
    expect(responses.filter((r) => r.statusCode !== 200)).toEqual([]);
    expect((await votes.app.inject({ method: 'GET', url: `/votes/${postId}` })).json()).toEqual({
      post_id: postId,
      upvotes: 1600,
      downvotes: 400,
      score: 1200,
    });
    const deliverStarted = performance.now();
    const delivered = await relay().deliverDue();
    const deliverMs = Math.round(performance.now() - deliverStarted);
    expect(delivered).toBe(2000);
    expect(await users.karmaOf(author.id)).toBe(1200);
    console.log(`[${target}] 2000 concurrent votes in ${voteMs} ms (in-process); 2000 karma events delivered in ${deliverMs} ms`);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './http.js';
import { startSystem, type System } from './system.js';

const VOTERS = 2000;
const IN_FLIGHT = 200;

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * 2 000 distinct users vote on one post at the same time, through the gateway: the tally must be
 * exact at once, and the author's karma exact once the votes service's outbox relay has drained.
 */
describe('2 000 concurrent votes through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  it('leaves exact tallies and exact author karma', async () => {
    const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
    const password = 'a-good-password';
    const figures: Record<string, number | string> = {};

    let started = performance.now();
    const voters = await mapLimit(
      Array.from({ length: VOTERS }, (_, i) => i),
      50,
      async (i) => {
        const username = `cc_${tag}_${i}`;
        const created = await api('/users', {
          method: 'POST',
          token: system.adminToken,
          json: { username, email: `${username}@example.test`, password },
        });
        if (created.status !== 201) throw new Error(`creating voter ${i}: ${created.status} ${created.text}`);
        return { id: created.body.id as number, username };
      },
    );
    figures.create_users_ms = Math.round(performance.now() - started);

    started = performance.now();
    const tokens = await mapLimit(voters, 50, async (voter) => {
      const login = await api('/auth/login', { method: 'POST', json: { username: voter.username, password } });
      if (login.status !== 200) throw new Error(`login ${voter.username}: ${login.status} ${login.text}`);
      return login.body.access_token as string;
    });
    figures.login_users_ms = Math.round(performance.now() - started);

    const authorName = `cc_${tag}_author`;
    const author = await api('/users', {
      method: 'POST',
      token: system.adminToken,
      json: { username: authorName, email: `${authorName}@example.test`, password },
    });
    const authorLogin = await api('/auth/login', { method: 'POST', json: { username: authorName, password } });
    const post = await api('/posts', {
      method: 'POST',
      token: authorLogin.body.access_token,
      json: { title: 'Hot take: tabs vs spaces', text: 'Discuss.', community: 'concurrency' },
    });
    expect(post.status).toBe(201);
    const postId = post.body.id as number;
    const authorId = author.body.id as number;

    // Every fifth voter votes down: 1 600 up, 400 down.
    const latencies: number[] = [];
    started = performance.now();
    const statuses = await mapLimit(tokens, IN_FLIGHT, async (token, i) => {
      const sent = performance.now();
      const response = await api(`/votes/${postId}/${i % 5 === 0 ? 'down' : 'up'}vote`, { method: 'POST', token });
      latencies.push(performance.now() - sent);
      return response.status;
    });
    const voteMs = performance.now() - started;
    figures.votes_ms = Math.round(voteMs);
    figures.votes_per_s = Math.round(VOTERS / (voteMs / 1000));
    latencies.sort((a, b) => a - b);
    figures.vote_p50_ms = Math.round(latencies[Math.floor(latencies.length * 0.5)] as number);
    figures.vote_p99_ms = Math.round(latencies[Math.floor(latencies.length * 0.99)] as number);

    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect((await api(`/votes/${postId}`)).body).toEqual({ post_id: postId, upvotes: 1600, downvotes: 400, score: 1200 });

    // The relay delivers 2 000 karma events; poll until the author's karma is exact (or 60 s pass).
    started = performance.now();
    let karma: number | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      karma = (await api(`/users/${authorId}`)).body.karma as number;
      if (karma === 1200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    figures.karma_converged_after_votes_ms = Math.round(performance.now() - started);
    expect(karma).toBe(1200);

    console.log(`2 000 concurrent votes (${IN_FLIGHT} in flight) through the gateway:`, figures);
  }, 600_000);
});

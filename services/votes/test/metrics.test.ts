import { createTestIssuer, describeEachDatabase, type TestIssuer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PostsServer, someVoter, startPostsServer, startVotes, type VotesHarness } from './helpers.js';

/** The line of a metric with these labels in Prometheus text, as a number (undefined when absent). */
function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describeEachDatabase('votes: /metrics shows the outbox backlog and the database pool', (target) => {
  let issuer: TestIssuer;
  let posts: PostsServer;
  let votes: VotesHarness;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    posts = await startPostsServer(target, issuer);
    // The relay is off: the karma event of a vote stays pending.
    votes = await startVotes(target, { issuer, postsUrl: posts.url });
  });
  afterAll(async () => {
    await votes.close();
    await posts.close();
  });

  it('counts pending events and the age of the oldest, and none dead', async () => {
    const empty = (await votes.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(empty, 'outbox_events', { status: 'pending', service: 'votes' })).toBe(0);
    expect(metricValue(empty, 'outbox_oldest_pending_age_seconds', { service: 'votes' })).toBe(0);

    const postId = await posts.createPost(someVoter());
    const voter = someVoter();
    const cast = await votes.app.inject({
      method: 'PUT',
      url: `/votes/${postId}`,
      headers: { authorization: await issuer.bearer(voter) },
      payload: { direction: 'up' },
    });
    expect(cast.statusCode).toBe(200);

    const text = (await votes.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(text, 'outbox_events', { status: 'pending', service: 'votes' })).toBe(1);
    expect(metricValue(text, 'outbox_events', { status: 'dead', service: 'votes' })).toBe(0);
    expect(metricValue(text, 'outbox_oldest_pending_age_seconds', { service: 'votes' })).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE outbox_events gauge');
  });

  it('reports the PostgreSQL pool (SQLite has none)', async () => {
    const text = (await votes.app.inject({ method: 'GET', url: '/metrics' })).body;
    if (target === 'postgres') {
      expect(metricValue(text, 'db_pool_connections', { state: 'max' })).toBe(10);
      expect(metricValue(text, 'db_pool_connections', { state: 'in_use' })).toBeGreaterThanOrEqual(0);
      expect(metricValue(text, 'db_pool_waiting_requests', { service: 'votes' })).toBe(0);
    } else {
      expect(text).not.toContain('db_pool_connections');
    }
  });
});

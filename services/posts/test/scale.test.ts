import { isPostgres, sql } from '@codeyard/service-kit';
import { describeEachDatabase } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PostsHarness, startPosts } from './helpers.js';

const POSTS = 1_000_000;
const COMMUNITIES = ['bulk_javascript', 'bulk_python', 'bulk_rust', 'bulk_go', 'bulk_rare'];

describeEachDatabase('posts: listing stays fast with a million posts', (target) => {
  let harness: PostsHarness;
  let app: PostsHarness['app'];
  beforeAll(async () => {
    harness = await startPosts(target);
    app = harness.app;
    const db = harness.database.db;
    const now = new Date().toISOString();
    await db
      .insertInto('communities')
      .values(COMMUNITIES.map((name) => ({ name, post_count: 0, created_at: now })))
      .execute();
    // 1 in 1000 posts is in bulk_rare, so its pages need a deep index range, not a lucky scan.
    const community = (i: unknown) => sql<string>`case when ${i} % 1000 = 0 then 'bulk_rare' else
      case ${i} % 4 when 0 then 'bulk_javascript' when 1 then 'bulk_python' when 2 then 'bulk_rust' else 'bulk_go' end end`;
    const started = performance.now();
    if (isPostgres(db)) {
      await sql`insert into posts (title, text, url, community, user_id, username, created_at)
        select 'Post number ' || i, 'Some text', null, ${community(sql`i`)}, i % 5000 + 1, 'bulk_user', ${now}
        from generate_series(1, ${POSTS}) as i`.execute(db);
      await sql`analyze posts`.execute(db);
    } else {
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${POSTS})
        insert into posts (title, text, url, community, user_id, username, created_at)
        select 'Post number ' || i, 'Some text', null, ${community(sql`i`)}, i % 5000 + 1, 'bulk_user', ${now} from n`.execute(db);
      await sql`analyze`.execute(db);
    }
    await sql`update communities set post_count = (select count(*) from posts where posts.community = communities.name)`.execute(db);
    console.log(`[${target}] inserted ${POSTS} posts in ${Math.round(performance.now() - started)} ms`);
  }, 300_000);
  afterAll(() => harness.close());

  /** Median of several timed requests, after one warm-up. */
  async function medianMs(url: string) {
    await app.inject({ method: 'GET', url });
    const times: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url });
      times.push(performance.now() - started);
      expect(response.statusCode).toBe(200);
    }
    return times.sort((a, b) => a - b)[3] as number;
  }

  it('serves the first and a deep page of the recent list in milliseconds', async () => {
    const first = await app.inject({ method: 'GET', url: '/posts?limit=100' });
    expect(first.json()).toHaveLength(100);
    expect(first.json()[0].title).toBe(`Post number ${POSTS}`);
    const deepCursor = Buffer.from(JSON.stringify({ id: 1000 })).toString('base64url');
    const figures = { first: await medianMs('/posts?limit=100'), deep: await medianMs(`/posts?limit=100&before=${deepCursor}`) };
    console.log(`[${target}] /posts median ms`, figures);
    expect(figures.first).toBeLessThan(50);
    expect(figures.deep).toBeLessThan(50);
  });

  it('serves a community list, including a rare community and a deep page, in milliseconds', async () => {
    const rare = await app.inject({ method: 'GET', url: '/communities/bulk_rare/posts?limit=100' });
    expect(rare.json()).toHaveLength(100);
    expect(rare.json().every((p: { community: string }) => p.community === 'bulk_rare')).toBe(true);
    const deepCursor = Buffer.from(JSON.stringify({ id: 50_000 })).toString('base64url');
    const figures = {
      common: await medianMs('/communities/bulk_python/posts?limit=100'),
      rare: await medianMs('/communities/bulk_rare/posts?limit=100'),
      rareDeep: await medianMs(`/communities/bulk_rare/posts?limit=25&before=${deepCursor}`),
      communities: await medianMs('/communities'),
    };
    console.log(`[${target}] community lists median ms`, figures);
    for (const ms of Object.values(figures)) expect(ms).toBeLessThan(50);
    const communities = (await app.inject({ method: 'GET', url: '/communities' })).json();
    expect(communities.find((c: { name: string }) => c.name === 'bulk_rare')).toMatchObject({ posts: POSTS / 1000 });
  });
});

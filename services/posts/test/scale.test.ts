import { CompiledQuery } from 'kysely';
import { describeEachDatabase } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertBulkPosts } from './bulk-posts.js';
import { type PostsHarness, startPosts } from './helpers.js';

// Enough rows that a scan or a sort would be the planner's last resort; timings live in
// `npm run bench:posts` (a million posts), not here.
const POSTS = 200_000;

describeEachDatabase('posts: listing at scale', (target) => {
  let harness: PostsHarness;
  beforeAll(async () => {
    harness = await startPosts(target);
    await insertBulkPosts(harness.database.db, POSTS);
  }, 300_000);
  afterAll(() => harness.close());

  /** The database's plan for the query listRecent runs, as text. */
  async function planOf(filter: { community?: string; userId?: number; beforeId?: number }): Promise<string> {
    const db = harness.database.db;
    let query = db
      .selectFrom('posts')
      .select(['id', 'title', 'community', 'user_id', 'username', 'created_at'])
      .orderBy('id', 'desc')
      .limit(26);
    if (filter.community !== undefined) query = query.where('community', '=', filter.community);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    const compiled = query.compile();
    const explain = harness.database.kind === 'postgres' ? 'explain (format json) ' : 'explain query plan ';
    const result = await db.executeQuery(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
    return JSON.stringify(result.rows);
  }

  const cases: Array<[string, { community?: string; userId?: number; beforeId?: number }]> = [
    ['the recent list', {}],
    ['a deep page of the recent list', { beforeId: 1_000 }],
    ['a common community', { community: 'bulk_python' }],
    ['a rare community, deep', { community: 'bulk_rare', beforeId: 50_000 }],
    ["one author's posts", { userId: 42 }],
    ["one author's posts, deep", { userId: 42, beforeId: 100_000 }],
  ];
  it.each(cases)('reads %s through an index, without scanning or sorting the table', async (_label, filter) => {
    const plan = await planOf(filter);
    if (harness.database.kind === 'postgres') {
      expect(plan).toMatch(/Index (Only )?Scan/);
      expect(plan).not.toMatch(/Seq Scan/);
      // An author has tens of posts here (a community tens of thousands): Postgres rightly fetches
      // them all through the index and sorts those few. What must not happen is a sort of the table.
      if (filter.userId !== undefined) expect(plan).toMatch(/"Index Name":"posts_user_id_id"/);
      else expect(plan).not.toMatch(/"Node Type":"Sort"/);
    } else {
      // Without a filter SQLite walks the rowid (= id) b-tree backwards and stops after the page:
      // "SCAN posts" in id order is that walk. A filter must use its (column, id) index.
      if (filter.community !== undefined) expect(plan).toMatch(/USING (COVERING )?INDEX posts_community_id/);
      else if (filter.userId !== undefined) expect(plan).toMatch(/USING (COVERING )?INDEX posts_user_id_id/);
      else expect(plan).toMatch(/SCAN posts|USING INTEGER PRIMARY KEY/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('pages correctly through a large community and counts its posts', async () => {
    const app = harness.app;
    const first = await app.inject({ method: 'GET', url: '/communities/bulk_rare/posts?limit=100' });
    expect(first.json()).toHaveLength(100);
    expect(first.json().every((p: { community: string }) => p.community === 'bulk_rare')).toBe(true);
    const ids = first.json().map((p: { id: number }) => p.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const next = (first.headers.link as string).match(/<([^>]+)>/)?.[1] as string;
    const second = await app.inject({ method: 'GET', url: next });
    expect(second.json()[0].id).toBeLessThan(ids[ids.length - 1]);
    const recent = await app.inject({ method: 'GET', url: '/posts?limit=1' });
    expect(recent.json()[0].title).toBe(`Post number ${POSTS}`);
    const communities = (await app.inject({ method: 'GET', url: '/communities' })).json();
    expect(communities.find((c: { name: string }) => c.name === 'bulk_rare')).toMatchObject({ posts: POSTS / 1000 });
  });
});

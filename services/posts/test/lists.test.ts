import { encodeCursor } from '@codeyard/service-kit';
import { describeEachDatabase } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshCommunity, type PostsHarness, postBody, someUser, startPosts } from './helpers.js';

describeEachDatabase('posts: recent lists, communities, paging', (target) => {
  let harness: PostsHarness;
  let app: PostsHarness['app'];
  beforeAll(async () => {
    harness = await startPosts(target);
    app = harness.app;
  });
  afterAll(() => harness.close());

  async function newPost(community: string, title = 'A post', user = someUser()) {
    const response = await app.inject({
      method: 'POST',
      url: '/posts',
      headers: { authorization: await harness.issuer.bearer(user) },
      payload: postBody({ community, title, url: 'https://example.com/' }),
    });
    if (response.statusCode !== 201) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
    return response.json() as { id: number; title: string; community: string; user_id: number; username: string; created_at: string };
  }
  const nextLink = (response: { headers: Record<string, unknown> }) =>
    /^<([^>]+)>; rel="next"$/.exec(String(response.headers.link ?? ''))?.[1];

  /** Follows `Link: rel="next"` from `url` to the end and returns every page. */
  async function allPages(url: string) {
    const pages: unknown[][] = [];
    let next: string | undefined = url;
    while (next) {
      const response = await app.inject({ method: 'GET', url: next });
      expect(response.statusCode).toBe(200);
      pages.push(response.json());
      next = nextLink(response);
    }
    return pages;
  }

  it('lists the most recent posts in any community, newest first, without text or url', async () => {
    const a = await newPost(freshCommunity('a'), 'first');
    const b = await newPost(freshCommunity('b'), 'second');
    const c = await newPost(freshCommunity('c'), 'third');
    const response = await app.inject({ method: 'GET', url: '/posts?limit=3' });
    expect(response.statusCode).toBe(200);
    const posts = response.json();
    expect(posts.map((p: { id: number }) => p.id)).toEqual([c.id, b.id, a.id]);
    expect(posts[0]).toEqual({
      id: c.id,
      title: 'third',
      community: c.community,
      username: c.username,
      user_id: c.user_id,
      created_at: c.created_at,
    });
    for (const post of posts) {
      expect(post).not.toHaveProperty('text');
      expect(post).not.toHaveProperty('url');
    }
  });

  it('pages the recent list with limit, before and a Link header until the end', async () => {
    const community = freshCommunity('paged');
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await newPost(community, `post ${i}`)).id);
    const first = await app.inject({ method: 'GET', url: '/posts?limit=3' });
    expect(first.json().map((p: { id: number }) => p.id)).toEqual(ids.slice(-3).reverse());
    const link = nextLink(first);
    expect(link).toMatch(/^\/posts\?limit=3&before=[A-Za-z0-9_-]+$/);
    const second = await app.inject({ method: 'GET', url: link as string });
    expect(second.json().map((p: { id: number }) => p.id)).toEqual(ids.slice(1, 4).reverse());

    const pages = await allPages(`/communities/${community}/posts?limit=3`);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((p) => (p as { id: number }).id)).toEqual([...ids].reverse());
  });

  it('builds the public next-page URL from x-forwarded-prefix (the gateway sets /api/v1)', async () => {
    await newPost(freshCommunity());
    await newPost(freshCommunity());
    const response = await app.inject({ method: 'GET', url: '/posts?limit=1', headers: { 'x-forwarded-prefix': '/api/v1' } });
    expect(response.headers.link).toMatch(/^<\/api\/v1\/posts\?limit=1&before=[^>]+>; rel="next"$/);
  });

  it('sends no Link header on the last page', async () => {
    const community = freshCommunity('last');
    await newPost(community);
    const response = await app.inject({ method: 'GET', url: `/communities/${community}/posts?limit=1` });
    expect(response.json()).toHaveLength(1);
    expect(response.headers.link).toBeUndefined();
  });

  it('uses 25 as the default limit', async () => {
    const community = freshCommunity('many');
    for (let i = 0; i < 27; i += 1) await newPost(community);
    const response = await app.inject({ method: 'GET', url: `/communities/${community}/posts` });
    expect(response.json()).toHaveLength(25);
    expect(nextLink(response)).toBeDefined();
  });

  it('lists only the posts of the community asked for', async () => {
    const mine = freshCommunity('mine');
    const other = freshCommunity('other');
    const p1 = await newPost(mine);
    await newPost(other);
    const p2 = await newPost(mine);
    const response = await app.inject({ method: 'GET', url: `/communities/${mine}/posts` });
    expect(response.json().map((p: { id: number }) => p.id)).toEqual([p2.id, p1.id]);
    expect(response.json().every((p: { community: string }) => p.community === mine)).toBe(true);
    expect(response.json()[0]).not.toHaveProperty('text');
  });

  it("lists one author's posts newest first with author_id, paged", async () => {
    const author = someUser();
    const mine = [await newPost(freshCommunity('au'), 'one', author), await newPost(freshCommunity('au'), 'two', author)];
    await newPost(freshCommunity('au'), 'someone else');
    mine.push(await newPost(freshCommunity('au'), 'three', author));
    const pages = await allPages(`/posts?author_id=${author.id}&limit=2`);
    expect(pages.map((page) => page.length)).toEqual([2, 1]);
    expect(pages.flat().map((p) => (p as { id: number }).id)).toEqual(mine.map((p) => p.id).reverse());
    expect(pages.flat().every((p) => (p as { user_id: number }).user_id === author.id)).toBe(true);
  });

  it('answers an empty list for an author without posts', async () => {
    const response = await app.inject({ method: 'GET', url: '/posts?author_id=2147483647' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it('looks up several posts by id in the order asked, leaving out unknown and deleted ids', async () => {
    const author = someUser();
    const a = await newPost(freshCommunity('ids'), 'a', author);
    const b = await newPost(freshCommunity('ids'), 'b');
    const gone = await newPost(freshCommunity('ids'), 'gone', author);
    await app.inject({ method: 'DELETE', url: `/posts/${gone.id}`, headers: { authorization: await harness.issuer.bearer(author) } });
    const response = await app.inject({ method: 'GET', url: `/posts?ids=${b.id},2147483647,${gone.id},${a.id},${b.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { id: b.id, title: 'b', community: b.community, username: b.username, user_id: b.user_id, created_at: b.created_at },
      { id: a.id, title: 'a', community: a.community, username: a.username, user_id: a.user_id, created_at: a.created_at },
    ]);
    expect(response.headers.link).toBeUndefined();
  });

  it('looks up 100 ids in one request, whatever the limit', async () => {
    const post = await newPost(freshCommunity('hundred'));
    const ids = [post.id, ...Array.from({ length: 99 }, (_, i) => 2_147_483_647 - i)];
    const response = await app.inject({ method: 'GET', url: `/posts?ids=${ids.join(',')}&limit=1` });
    expect(response.statusCode).toBe(200);
    expect(response.json().map((p: { id: number }) => p.id)).toEqual([post.id]);
  });

  it.each([
    ['an empty list', 'ids='],
    ['101 ids', `ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`],
    ['an id beyond 32 bits', 'ids=1,2147483648'],
    ['a word', 'ids=1,abc'],
    ['a trailing comma', 'ids=1,'],
    ['a zero', 'ids=0'],
    ['ids with a cursor', `ids=1&before=${encodeCursor({ id: 5 })}`],
    ['ids with an author', 'ids=1&author_id=3'],
  ])('returns 400 for %s', async (_label, query) => {
    const response = await app.inject({ method: 'GET', url: `/posts?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('ids');
  });

  it.each(['0', '-1', 'abc', '1.5', '2147483648', ''])('returns 400 for author_id=%s', async (authorId) => {
    const response = await app.inject({ method: 'GET', url: `/posts?author_id=${authorId}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('author_id');
  });

  it('returns 404 for a community that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/communities/no_such_place/posts' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, message: 'Community no_such_place does not exist' });
  });

  it.each(['Rust', 'ab', 'web-dev', 'c'.repeat(33), 'caf%C3%A9', '%20abc'])('returns 400 for the community name %s', async (name) => {
    const response = await app.inject({ method: 'GET', url: `/communities/${name}/posts` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('name');
  });

  it('lists communities alphabetically with their post counts, paged', async () => {
    const stem = `zz${process.pid}`;
    const names = [`${stem}_c`, `${stem}_a`, `${stem}_b`];
    await newPost(names[0] as string);
    await newPost(names[1] as string);
    await newPost(names[1] as string);
    await newPost(names[2] as string);
    const all = (await allPages('/communities?limit=2')).flat() as { name: string; posts: number; created_at: string }[];
    const sortedNames = all.map((c) => c.name);
    expect(sortedNames).toEqual([...sortedNames].sort());
    expect(new Set(sortedNames).size).toBe(sortedNames.length);
    expect(all.filter((c) => c.name.startsWith(stem))).toEqual([
      { name: `${stem}_a`, posts: 2, created_at: expect.stringMatching(/Z$/) },
      { name: `${stem}_b`, posts: 1, created_at: expect.any(String) },
      { name: `${stem}_c`, posts: 1, created_at: expect.any(String) },
    ]);
  });

  it('keeps a community whose posts were all deleted, with 0 posts and an empty list', async () => {
    const author = someUser();
    const community = freshCommunity('empty');
    const post = await newPost(community, 'only one', author);
    await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: { authorization: await harness.issuer.bearer(author) } });
    const list = await app.inject({ method: 'GET', url: `/communities/${community}/posts` });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([]);
    const communities = (await allPages('/communities?limit=100')).flat() as { name: string; posts: number }[];
    expect(communities.find((c) => c.name === community)).toMatchObject({ posts: 0 });
  });

  it.each(['0', '-1', '101', '100000000000000000000', '1.5', 'abc', ''])('returns 400 for limit=%s', async (limit) => {
    for (const url of [`/posts?limit=${limit}`, `/communities?limit=${limit}`, `/communities/javascript/posts?limit=${limit}`]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().errors, url).toHaveProperty('limit');
    }
  });

  it.each([
    ['not base64 JSON', 'abc!'],
    ['base64 of plain text', Buffer.from('hello').toString('base64url')],
    ['a cursor with a string id', encodeCursor({ id: 'x' })],
    ['a cursor with a negative id', encodeCursor({ id: -5 })],
    ['a cursor of another list', encodeCursor({ name: 'Nope!' })],
    ['a cursor that is far too long', 'A'.repeat(500)],
  ])('returns 400 for a malformed cursor: %s', async (_label, cursor) => {
    for (const url of [`/posts?before=${cursor}`, `/communities/javascript/posts?before=${cursor}`]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400 });
    }
    const communities = await app.inject({ method: 'GET', url: `/communities?before=${encodeCursor({ id: 3 })}` });
    expect(communities.statusCode).toBe(400);
  });
});

import { describeEachDatabase, serviceBearer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshCommunity, type PostsHarness, postBody, someUser, startPosts } from './helpers.js';

describeEachDatabase('posts: create, read, delete', (target) => {
  let harness: PostsHarness;
  let app: PostsHarness['app'];
  beforeAll(async () => {
    harness = await startPosts(target);
    app = harness.app;
  });
  afterAll(() => harness.close());

  const auth = async (user: { id: number; username: string; admin?: boolean }) => ({ authorization: await harness.issuer.bearer(user) });
  async function createPost(
    user: ReturnType<typeof someUser>,
    body: Record<string, unknown> = postBody(),
    headers: Record<string, string> = {},
  ) {
    return app.inject({ method: 'POST', url: '/posts', headers: { ...(await auth(user)), ...headers }, payload: body });
  }
  async function newPost(user = someUser(), body: Record<string, unknown> = postBody({ community: freshCommunity() })) {
    const response = await createPost(user, body);
    if (response.statusCode !== 201) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
    return response.json();
  }
  /** Every community, following the Link header page by page. */
  async function allCommunities(): Promise<{ name: string; posts: number }[]> {
    const all: { name: string; posts: number }[] = [];
    let url: string | undefined = '/communities?limit=100';
    while (url) {
      const response = await app.inject({ method: 'GET', url });
      all.push(...response.json());
      const link: string = String(response.headers.link ?? '');
      url = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    }
    return all;
  }
  const totalPosts = async () => (await allCommunities()).reduce((sum, c) => sum + c.posts, 0);

  // create -----------------------------------------------------------------------------------

  it('creates a post: 201, Location, the author from the token', async () => {
    const user = someUser();
    const community = freshCommunity('rust');
    const response = await createPost(user, {
      title: 'Borrow checker tips',
      text: 'Lifetimes are easier when …',
      community,
      url: 'https://doc.rust-lang.org/book/',
      user_id: 1,
      username: 'someone_else',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const post = response.json();
    expect(response.headers.location).toBe(`/api/v1/posts/${post.id}`);
    expect(post).toEqual({
      id: expect.any(Number),
      title: 'Borrow checker tips',
      text: 'Lifetimes are easier when …',
      url: 'https://doc.rust-lang.org/book/',
      community,
      username: user.username,
      user_id: user.id,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('stores a post without url as url null, and accepts empty text', async () => {
    const post = await newPost(someUser(), postBody({ community: freshCommunity(), text: '' }));
    expect(post.url).toBeNull();
    expect(post.text).toBe('');
    const read = await app.inject({ method: 'GET', url: `/posts/${post.id}` });
    expect(read.json()).toEqual(post);
  });

  it('returns 401 without a token and with a forged one', async () => {
    for (const headers of [{}, { authorization: 'Bearer not.a.token' }, { authorization: 'Basic abc' }]) {
      const response = await app.inject({ method: 'POST', url: '/posts', headers, payload: postBody() });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
  });

  it('returns 401 for a service credential: posts accepts none (a post needs a user as author)', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/posts',
      headers: { authorization: await serviceBearer('votes') },
      payload: postBody(),
    });
    expect(response.statusCode).toBe(401);
  });

  it.each([
    ['a missing title', { title: undefined }, 'title'],
    ['a missing text', { text: undefined }, 'text'],
    ['a missing community', { community: undefined }, 'community'],
    ['a number as title', { title: 42 }, 'title'],
    ['an array as text', { text: ['a'] }, 'text'],
    ['null as community', { community: null }, 'community'],
    ['an empty title', { title: '' }, 'title'],
    ['a blank title', { title: '   \n ' }, 'title'],
    ['a title over 300 characters', { title: 't'.repeat(301) }, 'title'],
    ['a text over 40 000 characters', { text: 'x'.repeat(40_001) }, 'text'],
    ['a url over 2 000 characters', { url: `https://example.com/${'a'.repeat(2000)}` }, 'url'],
    ['a javascript: url', { url: 'javascript:alert(1)' }, 'url'],
    ['an ftp url', { url: 'ftp://example.com/file' }, 'url'],
    ['a url that is not a URL', { url: 'not a url' }, 'url'],
    ['a number as url', { url: 7 }, 'url'],
    ['an upper-case community', { community: 'JavaScript' }, 'community'],
    ['a community with a dash', { community: 'web-dev' }, 'community'],
    ['a community with a space', { community: 'web dev' }, 'community'],
    ['a community with unicode letters', { community: 'café_talk' }, 'community'],
    ['a community with a path separator', { community: '../etc' }, 'community'],
    ['a community of 2 characters', { community: 'ab' }, 'community'],
    ['a community of 33 characters', { community: 'c'.repeat(33) }, 'community'],
  ])('returns 400 naming the field for %s, and creates nothing', async (_label, override, field) => {
    const before = await totalPosts();
    const response = await createPost(someUser(), { ...postBody({ community: freshCommunity() }), ...override });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(Object.keys(response.json().errors)).toContain(field);
    expect(await totalPosts()).toBe(before);
  });

  it('accepts a title of exactly 300 and a text of exactly 40 000 characters', async () => {
    const post = await newPost(someUser(), postBody({ community: freshCommunity(), title: 't'.repeat(300), text: 'x'.repeat(40_000) }));
    expect(post.title).toHaveLength(300);
    expect(post.text).toHaveLength(40_000);
  });

  it('returns 400 for malformed JSON and a JSON array, 415 for text, 413 for a huge body', async () => {
    const headers = { ...(await auth(someUser())), 'content-type': 'application/json' };
    expect((await app.inject({ method: 'POST', url: '/posts', headers, payload: '{"title":' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/posts', headers, payload: '["x"]' })).statusCode).toBe(400);
    const text = await app.inject({ method: 'POST', url: '/posts', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(415);
    const huge = await app.inject({
      method: 'POST',
      url: '/posts',
      headers,
      payload: { ...postBody(), text: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ statusCode: 413 });
  });

  it('counts every post when many are created in a new community at once', async () => {
    const community = freshCommunity('burst');
    const responses = await Promise.all(Array.from({ length: 40 }, () => createPost(someUser(), postBody({ community }))));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    expect((await allCommunities()).find((c) => c.name === community)).toMatchObject({ posts: 40 });
  });

  // idempotency ------------------------------------------------------------------------------

  it('returns the first response for a repeated Idempotency-Key and creates once', async () => {
    const user = someUser();
    const body = postBody({ community: freshCommunity('idem') });
    const first = await createPost(user, body, { 'idempotency-key': 'create-post-1' });
    const second = await createPost(user, body, { 'idempotency-key': 'create-post-1' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const listed = (await app.inject({ method: 'GET', url: `/communities/${body.community}/posts` })).json();
    expect(listed).toHaveLength(1);
  });

  it('returns 409 when an Idempotency-Key is reused with a different body', async () => {
    const user = someUser();
    const community = freshCommunity('idem');
    await createPost(user, postBody({ community }), { 'idempotency-key': 'k-2' });
    const reused = await createPost(user, postBody({ community, title: 'Another title' }), { 'idempotency-key': 'k-2' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().errors).toEqual({ 'idempotency-key': 'was used with a different request body' });
    expect((await app.inject({ method: 'GET', url: `/communities/${community}/posts` })).json()).toHaveLength(1);
  });

  it('keeps Idempotency-Keys per user: the same key from someone else creates their own post', async () => {
    const community = freshCommunity('idem');
    const mine = await createPost(someUser(), postBody({ community }), { 'idempotency-key': 'same' });
    const theirs = await createPost(someUser(), postBody({ community }), { 'idempotency-key': 'same' });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(mine.json().id);
  });

  it('returns 400 for an Idempotency-Key that is too long or not visible ASCII', async () => {
    for (const key of ['k'.repeat(201), 'with space', 'ключ']) {
      const response = await createPost(someUser(), postBody(), { 'idempotency-key': key });
      expect(response.statusCode, key).toBe(400);
    }
  });

  // read -------------------------------------------------------------------------------------

  it('reads a post by id with text and url', async () => {
    const post = await newPost(someUser(), postBody({ community: freshCommunity(), url: 'http://example.com/a?b=c' }));
    const response = await app.inject({ method: 'GET', url: `/posts/${post.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(post);
  });

  it('returns 404 for a post that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/posts/987654321' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Post 987654321 does not exist' });
  });

  it.each(['abc', '1.5', '0', '-3', '1;drop', '99999999999999999999999'])('returns 400 for the post id %s', async (id) => {
    const response = await app.inject({ method: 'GET', url: `/posts/${encodeURIComponent(id)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveProperty('id');
  });

  it('returns 405 with Allow for a method the path does not have', async () => {
    const response = await app.inject({ method: 'PUT', url: '/posts/1', payload: {} });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toContain('DELETE');
  });

  // delete -----------------------------------------------------------------------------------

  it('lets the author delete their post; afterwards it is 404 and no longer listed', async () => {
    const author = someUser();
    const post = await newPost(author);
    const response = await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(author) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: `Post ${post.id} deleted` });
    expect((await app.inject({ method: 'GET', url: `/posts/${post.id}` })).statusCode).toBe(404);
    const listed = (await app.inject({ method: 'GET', url: `/communities/${post.community}/posts` })).json();
    expect(listed).toEqual([]);
    const again = await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(author) });
    expect(again.statusCode).toBe(404);
  });

  it('announces a deletion to votes through its outbox, in the same transaction; a refused delete announces nothing', async () => {
    const author = someUser();
    const post = await newPost(author);
    const eventsFor = (id: number) =>
      harness.database.db
        .selectFrom('outbox')
        .select(['destination', 'method', 'path', 'body', 'status'])
        .where('path', '=', `/votes/${id}/deleted`)
        .execute();
    await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(someUser()) });
    expect(await eventsFor(post.id)).toEqual([]);
    await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(author) });
    expect(await eventsFor(post.id)).toEqual([
      { destination: 'votes', method: 'POST', path: `/votes/${post.id}/deleted`, body: '{}', status: 'pending' },
    ]);
    await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(author) });
    expect(await eventsFor(post.id)).toHaveLength(1);
  });

  it("returns 403 for someone else's post and keeps it", async () => {
    const post = await newPost(someUser());
    const response = await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(someUser()) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await app.inject({ method: 'GET', url: `/posts/${post.id}` })).statusCode).toBe(200);
  });

  it("lets an admin delete anyone's post", async () => {
    const post = await newPost(someUser());
    const response = await app.inject({ method: 'DELETE', url: `/posts/${post.id}`, headers: await auth(someUser({ admin: true })) });
    expect(response.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/posts/${post.id}` })).statusCode).toBe(404);
  });

  it('returns 401 for deleting without a token, 404 for an unknown post, 400 for a bad id', async () => {
    const post = await newPost(someUser());
    expect((await app.inject({ method: 'DELETE', url: `/posts/${post.id}` })).statusCode).toBe(401);
    const headers = await auth(someUser());
    expect((await app.inject({ method: 'DELETE', url: '/posts/99999999', headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/posts/x', headers })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/posts/${post.id}` })).statusCode).toBe(200);
  });

  it("updates the community's post count on delete", async () => {
    const author = someUser();
    const community = freshCommunity('count');
    const first = await newPost(author, postBody({ community }));
    await newPost(author, postBody({ community }));
    await app.inject({ method: 'DELETE', url: `/posts/${first.id}`, headers: await auth(author) });
    expect((await allCommunities()).find((c) => c.name === community)).toMatchObject({ posts: 1 });
  });

  it('serves its OpenAPI document with every route and the idempotency rule', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const spec = response.json();
    expect(Object.keys(spec.paths).sort()).toEqual(
      expect.arrayContaining(['/communities', '/communities/{name}/posts', '/posts', '/posts/{id}']),
    );
    expect(Object.keys(spec.paths['/posts/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(spec.paths['/posts'].post.description).toContain('409');
    expect(spec.paths['/posts'].post.responses).toHaveProperty('201');
  });
});

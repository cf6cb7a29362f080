import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, apiClient, newSignedInUser, uniqueTag } from './http.js';
import { startSystem, type System } from './system.js';

/** The posts section of the contract, through the gateway of a running system. */
describe('posts through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  const tag = uniqueTag;
  const newUser = () => newSignedInUser(api, 'po');
  async function newPost(token: string, overrides: Record<string, unknown> = {}) {
    const response = await api('/posts', {
      method: 'POST',
      token,
      json: { title: 'Why does my closure see the last loop value?', text: 'for (var i …)', community: `js_${tag()}`, ...overrides },
    });
    expect(response.status).toBe(201);
    return response.body as { id: number; community: string; user_id: number; username: string; title: string };
  }
  const linkOf = (response: ApiResponse) => /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];

  it('creates a post as the signed-in user and reads it back', async () => {
    const user = await newUser();
    const community = `rust_${tag()}`;
    const created = await api('/posts', {
      method: 'POST',
      token: user.token,
      json: { title: 'Lifetimes explained', text: 'A lifetime is …', community, url: 'https://doc.rust-lang.org/book/' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/posts/${created.body.id}`);
    expect(created.body).toMatchObject({ user_id: user.id, username: user.username, community, url: 'https://doc.rust-lang.org/book/' });
    const read = await api(`/posts/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('lists recent posts overall and per community without text or url, paging with public Link URLs', async () => {
    const user = await newUser();
    const community = `paging_${tag()}`;
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await newPost(user.token, { community, title: `post ${i}` })).id);

    const first = await api(`/communities/${community}/posts?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.map((p: { id: number }) => p.id)).toEqual([ids[4], ids[3]]);
    expect(first.body[0]).not.toHaveProperty('text');
    expect(first.body[0]).not.toHaveProperty('url');
    const seen = [...first.body];
    let next = linkOf(first);
    expect(next).toMatch(/^\/api\/v1\/communities\/[a-z0-9_]+\/posts\?limit=2&before=/);
    while (next) {
      const page = await api(next);
      expect(page.status).toBe(200);
      seen.push(...page.body);
      next = linkOf(page);
    }
    expect(seen.map((p) => p.id)).toEqual([...ids].reverse());

    const recent = await api('/posts?limit=5');
    expect(recent.body.map((p: { id: number }) => p.id)).toEqual([...ids].reverse());
    expect(linkOf(recent)).toMatch(/^\/api\/v1\/posts\?limit=5&before=/);

    const communities: { name: string; posts: number }[] = [];
    let url: string | undefined = '/communities?limit=100';
    while (url) {
      const page = await api(url);
      communities.push(...page.body);
      url = linkOf(page);
    }
    expect(communities.find((c) => c.name === community)).toMatchObject({ name: community, posts: 5 });
  });

  it('lets the author or an admin delete a post, and nobody else (403)', async () => {
    const [author, other] = [await newUser(), await newUser()];
    const post = await newPost(author.token);
    const denied = await api(`/posts/${post.id}`, { method: 'DELETE', token: other.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await api(`/posts/${post.id}`)).status).toBe(200);
    expect((await api(`/posts/${post.id}`, { method: 'DELETE' })).status).toBe(401);

    const deleted = await api(`/posts/${post.id}`, { method: 'DELETE', token: author.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ message: `Post ${post.id} deleted` });
    expect((await api(`/posts/${post.id}`)).status).toBe(404);

    const second = await newPost(author.token);
    expect((await api(`/posts/${second.id}`, { method: 'DELETE', token: system.adminToken })).status).toBe(200);
    expect((await api(`/posts/${second.id}`, { method: 'DELETE', token: author.token })).status).toBe(404);
  });

  it('creates once for a repeated Idempotency-Key', async () => {
    const user = await newUser();
    const community = `idem_${tag()}`;
    const body = { title: 'Only once', text: 'Retried by a flaky client', community };
    const headers = { 'idempotency-key': `post-${tag()}` };
    const first = await api('/posts', { method: 'POST', token: user.token, json: body, headers });
    const second = await api('/posts', { method: 'POST', token: user.token, json: body, headers });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect((await api(`/communities/${community}/posts`)).body).toHaveLength(1);
    const conflicting = await api('/posts', { method: 'POST', token: user.token, json: { ...body, title: 'Different' }, headers });
    expect(conflicting.status).toBe(409);
  });

  it('answers bad input with JSON 4xx, never a 500 or HTML, and creates nothing', async () => {
    const user = await newUser();
    const community = `bad_${tag()}`;
    const valid = { title: 'ok', text: 'ok', community };
    const cases: Array<
      [string, { method?: string; json?: unknown; body?: string; token?: string; headers?: Record<string, string> }, number]
    > = [
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, title: 42 } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, text: { a: 1 } } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, title: 't'.repeat(301) } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, text: 'x'.repeat(40_001) } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, url: `https://x.test/${'u'.repeat(2001)}` } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, url: 'javascript:alert(1)' } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, community: 'Über_Code' } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, community: 'web-dev' } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, community: "x'; drop table posts; --" } }, 400],
      ['/posts', { method: 'POST', token: user.token, json: ['not', 'an', 'object'] }, 400],
      ['/posts', { method: 'POST', token: user.token, headers: { 'content-type': 'application/json' }, body: '{"title": "x",' }, 400],
      ['/posts', { method: 'POST', token: user.token, headers: { 'content-type': 'text/plain' }, body: 'title=x' }, 415],
      ['/posts', { method: 'POST', token: user.token, json: { ...valid, text: 'x'.repeat(3 * 1024 * 1024) } }, 413],
      ['/posts', { method: 'POST', json: valid }, 401],
      ['/posts', { method: 'POST', token: 'not-a-token', json: valid }, 401],
      ['/posts?limit=-1', {}, 400],
      ['/posts?limit=0', {}, 400],
      ['/posts?limit=101', {}, 400],
      ['/posts?limit=1000000000000000000000', {}, 400],
      ['/posts?limit=ten', {}, 400],
      ['/posts?before=not-a-cursor', {}, 400],
      [`/posts?before=${Buffer.from('{"id":"1 or 1=1"}').toString('base64url')}`, {}, 400],
      [`/posts?before=${'A'.repeat(1000)}`, {}, 400],
      ['/posts/abc', {}, 400],
      ['/posts/1.5', {}, 400],
      ['/posts/-7', {}, 400],
      ['/posts/0', {}, 400],
      ['/posts/999999999', {}, 404],
      ['/communities/UPPER/posts', {}, 400],
      ['/communities/a/posts', {}, 400],
      [`/communities/${'c'.repeat(40)}/posts`, {}, 400],
      ['/communities/no_such_community_here/posts', {}, 404],
      ['/communities?limit=-5', {}, 400],
      ['/posts/1', { method: 'PATCH', json: {} }, 405],
    ];
    for (const [path, request, expected] of cases) {
      const response = await api(path, request);
      expect(response.status, `${request.method ?? 'GET'} ${path.slice(0, 80)}`).toBe(expected);
      expect(response.headers.get('content-type'), path.slice(0, 80)).toBe('application/json; charset=utf-8');
      expect(response.body.statusCode).toBe(expected);
      expect(typeof response.body.message).toBe('string');
    }
    expect((await api(`/communities/${community}/posts`)).status).toBe(404);
  });
});

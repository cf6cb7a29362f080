import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSignedInUser, uniqueTag } from './http.js';
import { startSystem, type System } from './system.js';

/** The messages section of the contract through the gateway; recipients are checked with users. */
describe('messages through the gateway', () => {
  let system: System;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    system = await startSystem();
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system.stop());

  const tag = uniqueTag;
  const newUser = () => newSignedInUser(api, 'me');
  const send = (token: string, to: string, content: string, headers: Record<string, string> = {}) =>
    api('/messages', { method: 'POST', token, json: { to, content }, headers });

  it('sends a message that both parties see in their boxes and nobody else can read', async () => {
    const [alice, bob, mallory] = [await newUser(), await newUser(), await newUser()];
    const sent = await send(alice.token, bob.username, 'Want to pair on the linked-list exercise?');
    expect(sent.status).toBe(201);
    expect(sent.headers.get('location')).toBe(`/api/v1/messages/${sent.body.id}`);
    expect(sent.body).toMatchObject({ from: alice.username, to: bob.username, favorite: false });

    expect((await api('/messages?box=inbox', { token: bob.token })).body).toEqual([sent.body]);
    expect((await api('/messages?box=sent', { token: alice.token })).body).toEqual([sent.body]);
    expect((await api('/messages', { token: alice.token })).body).toEqual([]);
    expect((await api(`/messages/${sent.body.id}`, { token: bob.token })).body).toEqual(sent.body);
    expect((await api(`/messages/${sent.body.id}`, { token: mallory.token })).status).toBe(404);
    expect((await api(`/messages/${sent.body.id}`, { method: 'DELETE', token: mallory.token })).status).toBe(404);
    expect((await api(`/messages/${sent.body.id}/favorite`, { method: 'PUT', token: mallory.token })).status).toBe(404);
    expect((await api(`/messages/${sent.body.id}`)).status).toBe(401);
  });

  it('keeps favourites and deletion per party', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const message = (await send(alice.token, bob.username, 'Starred by Bob')).body;
    const starred = await api(`/messages/${message.id}/favorite`, { method: 'PUT', token: bob.token });
    expect(starred.status).toBe(200);
    expect(starred.body.favorite).toBe(true);
    expect((await api('/messages?favorite=true', { token: bob.token })).body.map((m: { id: number }) => m.id)).toEqual([message.id]);
    expect((await api(`/messages/${message.id}`, { token: alice.token })).body.favorite).toBe(false);
    expect((await api(`/messages/${message.id}/favorite`, { method: 'DELETE', token: bob.token })).body.favorite).toBe(false);

    const deleted = await api(`/messages/${message.id}`, { method: 'DELETE', token: bob.token });
    expect(deleted.status).toBe(200);
    expect((await api(`/messages/${message.id}`, { token: bob.token })).status).toBe(404);
    expect((await api(`/messages/${message.id}`, { token: alice.token })).status).toBe(200);
  });

  it('returns 409 for an unknown or deactivated recipient', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const unknown = await send(alice.token, `ghost_${tag()}`, 'hello?');
    expect(unknown.status).toBe(409);
    expect(unknown.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    const deactivated = await api(`/users/${bob.id}/deactivate`, { method: 'POST', token: bob.token });
    expect(deactivated.status).toBe(200);
    expect((await send(alice.token, bob.username, 'are you there?')).status).toBe(409);
    expect((await api('/messages?box=sent', { token: alice.token })).body).toEqual([]);
  });

  it('pages a box with a public Link header and sends once per Idempotency-Key', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    for (let i = 0; i < 3; i += 1) await send(alice.token, bob.username, `note ${i}`);
    const first = await api('/messages?limit=2', { token: bob.token });
    expect(first.body.map((m: { content: string }) => m.content)).toEqual(['note 2', 'note 1']);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toMatch(/^\/api\/v1\/messages\?limit=2&before=/);
    expect((await api(next as string, { token: bob.token })).body.map((m: { content: string }) => m.content)).toEqual(['note 0']);

    const key = { 'idempotency-key': `msg-${tag()}` };
    const once = await send(alice.token, bob.username, 'exactly once', key);
    const twice = await send(alice.token, bob.username, 'exactly once', key);
    expect(twice.body).toEqual(once.body);
    expect((await api('/messages?limit=100', { token: bob.token })).body).toHaveLength(4);
  });

  it('answers bad input with JSON 4xx, never a 500 or HTML', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const cases: Array<
      [string, { method?: string; json?: unknown; body?: string; token?: string; headers?: Record<string, string> }, number]
    > = [
      ['/messages', { method: 'POST', token: alice.token, json: { to: bob.username, content: '' } }, 400],
      ['/messages', { method: 'POST', token: alice.token, json: { to: bob.username, content: 'x'.repeat(10_001) } }, 400],
      ['/messages', { method: 'POST', token: alice.token, json: { to: bob.username, content: 12 } }, 400],
      ['/messages', { method: 'POST', token: alice.token, json: { to: ['bob'], content: 'hi' } }, 400],
      ['/messages', { method: 'POST', token: alice.token, json: { to: 'x'.repeat(5000), content: 'hi' } }, 400],
      ['/messages', { method: 'POST', token: alice.token, json: { to: alice.username, content: 'me' } }, 400],
      ['/messages', { method: 'POST', token: alice.token, headers: { 'content-type': 'application/json' }, body: 'nope' }, 400],
      ['/messages', { method: 'POST', token: alice.token, json: { to: bob.username, content: 'x'.repeat(3 * 1024 * 1024) } }, 413],
      ['/messages', { method: 'POST', json: { to: bob.username, content: 'hi' } }, 401],
      ['/messages?box=spam', { token: alice.token }, 400],
      ['/messages?limit=-3', { token: alice.token }, 400],
      ['/messages?limit=1000', { token: alice.token }, 400],
      ['/messages?before=garbage!', { token: alice.token }, 400],
      ['/messages?favorite=maybe', { token: alice.token }, 400],
      ['/messages/abc', { token: alice.token }, 400],
      ['/messages/2.5', { method: 'DELETE', token: alice.token }, 400],
      ['/messages/99999999', { token: alice.token }, 404],
      ['/messages/1/favorite', { method: 'POST', token: alice.token }, 405],
    ];
    for (const [path, request, expected] of cases) {
      const response = await api(path, request);
      expect(response.status, `${request.method ?? 'GET'} ${path.slice(0, 80)}`).toBe(expected);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.body.statusCode).toBe(expected);
    }
    expect((await api('/messages', { token: bob.token })).body).toEqual([]);
  });
});

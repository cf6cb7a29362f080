import { encodeCursor } from '@codeyard/service-kit';
import { describeEachDatabase, serviceBearer } from '@codeyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, type Person, startMessages } from './helpers.js';

describeEachDatabase('messages: send, boxes, read, delete, favourite', (target) => {
  let harness: Harness;
  let app: Harness['app'];
  beforeAll(async () => {
    harness = await startMessages(target);
    app = harness.app;
  });
  afterAll(() => harness.close());

  async function send(from: Person, to: string, content = 'Hello there', headers: Record<string, string> = {}) {
    return app.inject({ method: 'POST', url: '/messages', headers: { ...from.auth, ...headers }, payload: { to, content } });
  }
  async function sent(from: Person, to: Person, content = 'Hello there') {
    const response = await send(from, to.username, content);
    if (response.statusCode !== 201) throw new Error(`send failed: ${response.statusCode} ${response.body}`);
    return response.json() as { id: number; from: string; to: string; content: string; favorite: boolean; created_at: string };
  }
  const box = async (who: Person, query = '') => (await app.inject({ method: 'GET', url: `/messages?${query}`, headers: who.auth })).json();
  const get = (who: Person | undefined, id: number) => app.inject({ method: 'GET', url: `/messages/${id}`, headers: who?.auth ?? {} });

  // send ---------------------------------------------------------------------------------------

  it('sends a message: 201, Location, usernames as from and to', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const response = await send(alice, bob.username, 'Did you try the new exercise?');
    expect(response.statusCode).toBe(201);
    const message = response.json();
    expect(response.headers.location).toBe(`/api/v1/messages/${message.id}`);
    expect(message).toEqual({
      id: expect.any(Number),
      from: alice.username,
      to: bob.username,
      content: 'Did you try the new exercise?',
      favorite: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('finds the recipient in any letter case and stores their real username', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const response = await send(alice, bob.username.toUpperCase());
    expect(response.statusCode).toBe(201);
    expect(response.json().to).toBe(bob.username);
  });

  it('returns 409 for a recipient who does not exist, and stores nothing', async () => {
    const alice = await harness.person();
    const response = await send(alice, 'nobody_by_that_name');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ statusCode: 409, error: 'Conflict', errors: { to: 'is not a user' } });
    expect(await box(alice, 'box=sent')).toEqual([]);
  });

  it('returns 409 for a deactivated recipient', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    await harness.deactivate(bob);
    const response = await send(alice, bob.username);
    expect(response.statusCode).toBe(409);
    expect(response.json().errors).toEqual({ to: 'is deactivated' });
  });

  it('returns 400 for a message to oneself', async () => {
    const alice = await harness.person();
    const response = await send(alice, alice.username);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual({ to: 'is you' });
  });

  it('returns 503 with Retry-After when users cannot be asked, and stores nothing', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    await harness.stopUsers();
    try {
      const response = await send(alice, bob.username);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.json()).toMatchObject({ statusCode: 503 });
    } finally {
      await harness.startUsers();
    }
    expect(await box(alice, 'box=sent')).toEqual([]);
  });

  it('returns 401 without a token and for a service credential (messages accepts none)', async () => {
    const bob = await harness.person();
    const anonymous = await app.inject({ method: 'POST', url: '/messages', payload: { to: bob.username, content: 'hi' } });
    expect(anonymous.statusCode).toBe(401);
    const service = await app.inject({
      method: 'POST',
      url: '/messages',
      headers: { authorization: await serviceBearer('votes') },
      payload: { to: bob.username, content: 'hi' },
    });
    expect(service.statusCode).toBe(401);
    for (const url of ['/messages', '/messages/1']) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/messages/1' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PUT', url: '/messages/1/favorite' })).statusCode).toBe(401);
  });

  it.each([
    ['empty content', { content: '' }, 'content'],
    ['content over 10 000 characters', { content: 'x'.repeat(10_001) }, 'content'],
    ['a number as content', { content: 5 }, 'content'],
    ['no content', { content: undefined }, 'content'],
    ['no recipient', { to: undefined }, 'to'],
    ['a recipient that cannot be a username', { to: 'bob smith' }, 'to'],
    ['a recipient of 200 characters', { to: 'b'.repeat(200) }, 'to'],
    ['an object as recipient', { to: { id: 1 } }, 'to'],
  ])('returns 400 for %s, and stores nothing', async (_label, override, field) => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const response = await app.inject({
      method: 'POST',
      url: '/messages',
      headers: alice.auth,
      payload: { to: bob.username, content: 'hello', ...override },
    });
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().errors)).toContain(field);
    expect(await box(alice, 'box=sent')).toEqual([]);
  });

  it('accepts content of exactly 10 000 characters', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    expect((await sent(alice, bob, 'y'.repeat(10_000))).content).toHaveLength(10_000);
  });

  it('returns the first response for a repeated Idempotency-Key, and 409 for the key with another body', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const first = await send(alice, bob.username, 'once', { 'idempotency-key': 'msg-1' });
    const again = await send(alice, bob.username, 'once', { 'idempotency-key': 'msg-1' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await box(bob)).toHaveLength(1);
    const different = await send(alice, bob.username, 'twice', { 'idempotency-key': 'msg-1' });
    expect(different.statusCode).toBe(409);
    expect(await box(bob)).toHaveLength(1);
  });

  it('replays an idempotent send even after the recipient was deactivated', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const first = await send(alice, bob.username, 'before', { 'idempotency-key': 'msg-2' });
    await harness.deactivate(bob);
    const again = await send(alice, bob.username, 'before', { 'idempotency-key': 'msg-2' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
  });

  // boxes --------------------------------------------------------------------------------------

  it('lists the inbox by default and the sent box, newest first', async () => {
    const [alice, bob, carol] = [await harness.person(), await harness.person(), await harness.person()];
    const m1 = await sent(alice, bob, 'one');
    const m2 = await sent(carol, bob, 'two');
    const m3 = await sent(bob, alice, 'three');
    expect((await box(bob)).map((m: { id: number }) => m.id)).toEqual([m2.id, m1.id]);
    expect((await box(bob, 'box=inbox')).map((m: { id: number }) => m.id)).toEqual([m2.id, m1.id]);
    expect(await box(bob, 'box=sent')).toEqual([m3]);
    expect((await box(alice)).map((m: { content: string }) => m.content)).toEqual(['three']);
    expect(await box(carol)).toEqual([]);
  });

  it('pages a box with limit, before and Link', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await sent(alice, bob, `m${i}`)).id);
    const seen: number[] = [];
    let url: string | undefined = '/messages?box=inbox&limit=2';
    let pages = 0;
    while (url) {
      const response = await app.inject({ method: 'GET', url, headers: bob.auth });
      expect(response.statusCode).toBe(200);
      seen.push(...response.json().map((m: { id: number }) => m.id));
      const link: string = String(response.headers.link ?? '');
      url = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it.each([
    ['box=trash'],
    ['box=INBOX'],
    ['favorite=yes'],
    ['limit=0'],
    ['limit=-1'],
    ['limit=101'],
    ['limit=1.5'],
    ['limit=99999999999999999999'],
    ['before=!!'],
    [`before=${encodeCursor({ id: 'x' })}`],
    [`before=${encodeCursor([1])}`],
  ])('returns 400 for a box query with %s', async (query) => {
    const alice = await harness.person();
    const response = await app.inject({ method: 'GET', url: `/messages?${query}`, headers: alice.auth });
    expect(response.statusCode).toBe(400);
  });

  // read -----------------------------------------------------------------------------------------

  it('shows a message to its sender and its recipient, 404 to anyone else', async () => {
    const [alice, bob, mallory] = [await harness.person(), await harness.person(), await harness.person()];
    const message = await sent(alice, bob, 'private');
    expect((await get(alice, message.id)).json()).toEqual(message);
    expect((await get(bob, message.id)).json()).toEqual(message);
    const other = await get(mallory, message.id);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ statusCode: 404, error: 'Not Found', message: `Message ${message.id} does not exist` });
    expect((await get(mallory, 99_999_999)).json().message).toBe('Message 99999999 does not exist');
  });

  it('returns 400 for a non-integer message id', async () => {
    const alice = await harness.person();
    for (const id of ['abc', '1.5', '0', '-2']) {
      const response = await get(alice, id as unknown as number);
      expect(response.statusCode, id).toBe(400);
    }
  });

  // delete ---------------------------------------------------------------------------------------

  it('deletes a message for one party only', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const message = await sent(alice, bob, 'keep or delete');
    const response = await app.inject({ method: 'DELETE', url: `/messages/${message.id}`, headers: bob.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: `Message ${message.id} deleted` });
    expect((await get(bob, message.id)).statusCode).toBe(404);
    expect(await box(bob)).toEqual([]);
    expect((await get(alice, message.id)).statusCode).toBe(200);
    expect(await box(alice, 'box=sent')).toEqual([message]);
    // deleting again is a 404 for bob; alice can still delete her copy
    expect((await app.inject({ method: 'DELETE', url: `/messages/${message.id}`, headers: bob.auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/messages/${message.id}`, headers: alice.auth })).statusCode).toBe(200);
    expect((await get(alice, message.id)).statusCode).toBe(404);
  });

  it("returns 404 for deleting someone else's message and leaves it", async () => {
    const [alice, bob, mallory] = [await harness.person(), await harness.person(), await harness.person()];
    const message = await sent(alice, bob);
    expect((await app.inject({ method: 'DELETE', url: `/messages/${message.id}`, headers: mallory.auth })).statusCode).toBe(404);
    expect((await get(bob, message.id)).statusCode).toBe(200);
    expect((await get(alice, message.id)).statusCode).toBe(200);
  });

  // favourite ------------------------------------------------------------------------------------

  it('favourites per party: each sees their own flag and can filter by it', async () => {
    const [alice, bob] = [await harness.person(), await harness.person()];
    const plain = await sent(alice, bob, 'plain');
    const starred = await sent(alice, bob, 'starred');
    const put = await app.inject({ method: 'PUT', url: `/messages/${starred.id}/favorite`, headers: bob.auth });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ ...starred, favorite: true });
    expect((await get(bob, starred.id)).json().favorite).toBe(true);
    expect((await get(alice, starred.id)).json().favorite).toBe(false);
    expect(await box(bob, 'favorite=true')).toEqual([{ ...starred, favorite: true }]);
    expect(await box(bob, 'favorite=false')).toEqual([plain]);
    expect(await box(alice, 'box=sent&favorite=true')).toEqual([]);

    const again = await app.inject({ method: 'PUT', url: `/messages/${starred.id}/favorite`, headers: bob.auth });
    expect(again.json().favorite).toBe(true);
    const removed = await app.inject({ method: 'DELETE', url: `/messages/${starred.id}/favorite`, headers: bob.auth });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ ...starred, favorite: false });
    expect(await box(bob, 'favorite=true')).toEqual([]);
  });

  it("returns 404 for favouriting someone else's message, or one the caller deleted", async () => {
    const [alice, bob, mallory] = [await harness.person(), await harness.person(), await harness.person()];
    const message = await sent(alice, bob);
    expect((await app.inject({ method: 'PUT', url: `/messages/${message.id}/favorite`, headers: mallory.auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/messages/${message.id}/favorite`, headers: mallory.auth })).statusCode).toBe(404);
    await app.inject({ method: 'DELETE', url: `/messages/${message.id}`, headers: bob.auth });
    expect((await app.inject({ method: 'PUT', url: `/messages/${message.id}/favorite`, headers: bob.auth })).statusCode).toBe(404);
    expect((await get(alice, message.id)).json().favorite).toBe(false);
  });

  it('serves its OpenAPI document with every route and the idempotency rule', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = response.json().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/messages', '/messages/{id}', '/messages/{id}/favorite']));
    expect(Object.keys(paths['/messages/{id}/favorite'])).toEqual(expect.arrayContaining(['put', 'delete']));
    expect(paths['/messages'].post.description).toContain('Idempotency-Key');
  });
});

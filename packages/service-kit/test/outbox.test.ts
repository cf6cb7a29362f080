import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createServiceClient,
  createServiceCredential,
  type Database,
  enqueueEvent,
  observeOutbox,
  openDatabase,
  type OutboxTable,
  outboxDeadLettersMigration,
  outboxMigration,
  type ServiceClient,
  startOutboxRelay,
} from '@codeyard/service-kit';
import { type DatabaseEnv, describeEachDatabase, freshDatabase, TEST_SERVICE_PRIVATE_KEYS } from '@codeyard/test-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';

interface ThingsTable {
  id: number;
  name: string;
}
interface TestDb {
  outbox: OutboxTable;
  things: ThingsTable;
}

const migrations = {
  '001_things': {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('things')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'varchar(50)', (c) => c.notNull())
        .execute();
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable('things').execute();
    },
  },
  '090_outbox': outboxMigration,
  '092_outbox_dead_letters': outboxDeadLettersMigration,
};

/**
 * A receiver like users' karma endpoint: applies each Idempotency-Key once and records every
 * request it saw. `answer` picks the status code it replies with.
 */
function startReceiver() {
  const received: { method: string; path: string; key: string | undefined; auth: string | undefined; body: unknown }[] = [];
  const applied = new Map<string, unknown>();
  let answer = 200;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const key = request.headers['idempotency-key'] as string | undefined;
      const body = JSON.parse(text) as unknown;
      received.push({ method: request.method ?? '', path: request.url ?? '', key, auth: request.headers.authorization, body });
      if (answer >= 200 && answer < 300 && key && !applied.has(key)) applied.set(key, body);
      response.writeHead(answer, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer < 300 ? { ok: true } : { statusCode: answer, message: `answered ${answer}` }));
    });
  });
  return new Promise<{
    url: string;
    received: typeof received;
    applied: typeof applied;
    setAnswer(status: number): void;
    close(): Promise<void>;
  }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        applied,
        setAnswer: (status) => {
          answer = status;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const silentLogger = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

describeEachDatabase('service-kit: transactional outbox', (target) => {
  let env: DatabaseEnv;
  let database: Database<TestDb>;
  let db: Kysely<TestDb>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: ServiceClient;
  const relays: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    env = await freshDatabase(target);
    database = await openDatabase<TestDb>({
      url: env.env.DATABASE_URL as string,
      schema: env.env.DATABASE_SCHEMA,
      migrations,
    });
    db = database.db;
    receiver = await startReceiver();
    client = createServiceClient({
      baseUrl: receiver.url,
      target: 'receiver',
      credential: createServiceCredential('tester', TEST_SERVICE_PRIVATE_KEYS.tester as string),
      // Generous: on a loaded machine a send that times out is sent again, and the tests that
      // count sends would see a (legitimate) redelivery.
      timeoutMs: 20_000,
    });
  });
  afterAll(async () => {
    await receiver.close();
    await database.close();
    await env.cleanup();
  });
  beforeEach(async () => {
    await db.deleteFrom('outbox').execute();
    await db.deleteFrom('things').execute();
    receiver.received.length = 0;
    receiver.applied.clear();
    receiver.setAnswer(200);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  /** A relay that only delivers when the test says so (its poll interval is far away). */
  function relayWith(
    clients: Record<string, ServiceClient>,
    options: {
      maxBackoffMs?: number;
      leaseMs?: number;
      batchSize?: number;
      logger?: FastifyBaseLogger;
      dbOverride?: Kysely<TestDb>;
      maxAttempts?: number;
      maxAgeMs?: number;
    } = {},
  ) {
    const relay = startOutboxRelay({
      db: options.dbOverride ?? db,
      clients,
      logger: options.logger ?? silentLogger,
      pollIntervalMs: 3_600_000,
      ...(options.maxBackoffMs !== undefined && { maxBackoffMs: options.maxBackoffMs }),
      ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      ...(options.maxAgeMs !== undefined && { maxAgeMs: options.maxAgeMs }),
    });
    relays.push(relay);
    return relay;
  }

  async function addThingWithEvent(id: number, path = `/things/${id}`) {
    return db.transaction().execute(async (trx) => {
      await trx
        .insertInto('things')
        .values({ id, name: `thing ${id}` })
        .execute();
      return enqueueEvent(trx, { destination: 'receiver', method: 'POST', path, body: { thing: id } });
    });
  }

  const eventRow = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('records an event only when its transaction commits', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('things').values({ id: 1, name: 'one' }).execute();
        await enqueueEvent(trx, { destination: 'receiver', method: 'POST', path: '/x', body: {} });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const relay = relayWith({ receiver: client });
    expect(await relay.pending()).toBe(0);

    const id = await addThingWithEvent(2);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await relay.pending()).toBe(1);
    expect(await eventRow(id)).toMatchObject({ status: 'pending', attempts: 0, destination: 'receiver', path: '/things/2' });
  });

  it('delivers with the event id as Idempotency-Key and a service credential, then marks it sent', async () => {
    const id = await addThingWithEvent(3);
    const relay = relayWith({ receiver: client });
    expect(await relay.deliverDue()).toBe(1);
    expect(receiver.received).toEqual([
      { method: 'POST', path: '/things/3', key: id, auth: expect.stringMatching(/^Bearer ey/), body: { thing: 3 } },
    ]);
    expect(await eventRow(id)).toMatchObject({ status: 'sent', attempts: 1, locked_until: null, last_error: null });
    expect((await eventRow(id)).sent_at).toMatch(/^\d{4}-/);
    expect(await relay.pending()).toBe(0);
    expect(await relay.deliverDue()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('keeps events while the receiver is unreachable and delivers all of them once it is back', async () => {
    const down = createServiceClient({ baseUrl: 'http://127.0.0.1:1', target: 'receiver', timeoutMs: 500 });
    const ids = [await addThingWithEvent(10), await addThingWithEvent(11), await addThingWithEvent(12)];
    const whileDown = relayWith({ receiver: down }, { maxBackoffMs: 0 });
    expect(await whileDown.deliverDue()).toBe(0);
    expect(await whileDown.pending()).toBe(3);
    for (const id of ids) {
      const row = await eventRow(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, locked_until: null });
      expect(row.last_error).toContain('unavailable');
    }
    expect(await whileDown.deliverDue()).toBe(0);
    expect((await eventRow(ids[0] as string)).attempts).toBe(2);

    const back = relayWith({ receiver: client }, { maxBackoffMs: 0 });
    expect(await back.deliverDue()).toBe(3);
    expect(await back.pending()).toBe(0);
    expect([...receiver.applied.keys()].sort()).toEqual([...ids].sort());
  });

  it('backs off exponentially with jitter, capped at maxBackoffMs', async () => {
    const down = createServiceClient({ baseUrl: 'http://127.0.0.1:1', target: 'receiver', timeoutMs: 500 });
    const id = await addThingWithEvent(20);
    const relay = relayWith({ receiver: down }, { maxBackoffMs: 4_000 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const before = Date.now();
      await relay.deliverDue();
      const row = await eventRow(id);
      expect(row.attempts).toBe(attempt);
      delays.push(Date.parse(row.next_attempt_at) - before);
      // make it due again, as if the time had passed
      await db
        .updateTable('outbox')
        .set({ next_attempt_at: new Date(0).toISOString() })
        .where('id', '=', id)
        .execute();
    }
    // 500 · 2^(n-1) with jitter in [half, full], capped at 4 000
    const expected = [500, 1000, 2000, 4000, 4000];
    delays.forEach((delay, index) => {
      const full = expected[index] as number;
      expect(delay).toBeGreaterThanOrEqual(full / 2 - 50);
      expect(delay).toBeLessThanOrEqual(full + 1000);
    });
  });

  it('does not send an event again before its backoff has passed', async () => {
    receiver.setAnswer(503);
    const id = await addThingWithEvent(25);
    const relay = relayWith({ receiver: client }, { maxBackoffMs: 60_000 });
    await relay.deliverDue();
    receiver.setAnswer(200);
    expect(await relay.deliverDue()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect(Date.parse((await eventRow(id)).next_attempt_at)).toBeGreaterThan(Date.now());
  });

  it.each([500, 502, 503, 408, 425, 429])('retries after HTTP %i', async (status) => {
    receiver.setAnswer(status);
    const id = await addThingWithEvent(30);
    const relay = relayWith({ receiver: client }, { maxBackoffMs: 0 });
    expect(await relay.deliverDue()).toBe(0);
    expect(await eventRow(id)).toMatchObject({ status: 'pending', last_error: expect.stringContaining(`HTTP ${status}`) });
    receiver.setAnswer(200);
    expect(await relay.deliverDue()).toBe(1);
    expect(await eventRow(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it.each([400, 401, 403, 404, 409, 422])('dead-letters after HTTP %i, keeps the error and logs it', async (status) => {
    receiver.setAnswer(status);
    const logger = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
    const logged = vi.spyOn(logger, 'error');
    const id = await addThingWithEvent(40);
    const relay = relayWith({ receiver: client }, { maxBackoffMs: 0, logger });
    expect(await relay.deliverDue()).toBe(0);
    const row = await eventRow(id);
    expect(row.status).toBe('dead');
    expect(Date.parse(row.dead_at as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(row.last_error).toContain(`HTTP ${status}`);
    expect(row.last_error).toContain(`answered ${status}`);
    expect(await relay.pending()).toBe(0);
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ eventId: id, status }), expect.stringContaining('dead-lettered'));
    receiver.setAnswer(200);
    expect(await relay.deliverDue()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('dead-letters an event that failed maxAttempts times, keeping it with its last error', async () => {
    receiver.setAnswer(503);
    const id = await addThingWithEvent(41);
    const relay = relayWith({ receiver: client }, { maxBackoffMs: 0, maxAttempts: 3 });
    for (let attempt = 1; attempt <= 3; attempt += 1) await relay.deliverDue();
    const row = await eventRow(id);
    expect(row).toMatchObject({ status: 'dead', attempts: 3 });
    expect(row.last_error).toMatch(/^gave up after 3 attempts; last: HTTP 503/);
    expect(row.dead_at).toEqual(expect.any(String));
    receiver.setAnswer(200);
    expect(await relay.deliverDue()).toBe(0);
    expect(receiver.received).toHaveLength(3);
  });

  it('dead-letters an event still failing past maxAgeMs, unreachable receiver included', async () => {
    const id = await addThingWithEvent(42);
    await db
      .updateTable('outbox')
      .set({ created_at: new Date(Date.now() - 4 * 3_600_000).toISOString() })
      .where('id', '=', id)
      .execute();
    const unreachable = createServiceClient({ baseUrl: 'http://127.0.0.1:1', target: 'receiver', timeoutMs: 2_000 });
    const relay = relayWith({ receiver: unreachable }, { maxBackoffMs: 0, maxAgeMs: 3 * 3_600_000 });
    await relay.deliverDue();
    const row = await eventRow(id);
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row.last_error).toMatch(/^gave up after 4 h; last: .*unavailable/);
    // a young event failing the same way is kept for another try
    const young = await addThingWithEvent(43);
    await relay.deliverDue();
    expect(await eventRow(young)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('shows pending count, oldest pending age and dead letters per destination in /metrics', async () => {
    const registry = new Registry();
    observeOutbox(registry, db, ['receiver', 'quiet']);
    const series = async () =>
      (await registry.getMetricsAsJSON()).flatMap((metric) => metric.values.map((v) => ({ name: metric.name, ...v })));
    const metricOf = async (name: string, labels: Record<string, string>) =>
      (await series()).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(await metricOf('outbox_events', { destination: 'quiet', status: 'pending' })).toBe(0);
    expect(await metricOf('outbox_oldest_pending_age_seconds', { destination: 'quiet' })).toBe(0);

    const [waiting, given] = [await addThingWithEvent(44), await addThingWithEvent(45)];
    await addThingWithEvent(46);
    await db
      .updateTable('outbox')
      .set({ created_at: new Date(Date.now() - 600_000).toISOString() })
      .where('id', '=', waiting)
      .execute();
    await db.updateTable('outbox').set({ status: 'dead', dead_at: new Date().toISOString() }).where('id', '=', given).execute();
    await db.transaction().execute((trx) => enqueueEvent(trx, { destination: 'other', method: 'POST', path: '/o', body: {} }));
    expect(await metricOf('outbox_events', { destination: 'receiver', status: 'pending' })).toBe(2);
    expect(await metricOf('outbox_events', { destination: 'receiver', status: 'dead' })).toBe(1);
    expect(await metricOf('outbox_events', { destination: 'other', status: 'pending' })).toBe(1);
    expect(await metricOf('outbox_events', { destination: 'quiet', status: 'dead' })).toBe(0);
    expect(await metricOf('outbox_oldest_pending_age_seconds', { destination: 'receiver' })).toBeGreaterThanOrEqual(599);
    expect(await metricOf('outbox_oldest_pending_age_seconds', { destination: 'other' })).toBeLessThan(60);
  });

  it('keeps an event whose destination has no client, and delivers it once one is configured', async () => {
    const id = await db
      .transaction()
      .execute((trx) => enqueueEvent(trx, { destination: 'elsewhere', method: 'PUT', path: '/y', body: { a: 1 } }));
    const misconfigured = relayWith({ receiver: client }, { maxBackoffMs: 0 });
    expect(await misconfigured.deliverDue()).toBe(0);
    expect(await eventRow(id)).toMatchObject({ status: 'pending', last_error: expect.stringContaining('elsewhere') });
    const fixed = relayWith({ elsewhere: client }, { maxBackoffMs: 0 });
    expect(await fixed.deliverDue()).toBe(1);
    expect(receiver.received[0]).toMatchObject({ method: 'PUT', path: '/y', body: { a: 1 } });
  });

  it('redelivers after a crash between send and mark-sent; the receiver applies it once', async () => {
    const id = await addThingWithEvent(50);
    // The request reaches the receiver, then the relay "crashes" before recording that it was sent.
    const crashingAfterSend: ServiceClient = async (method, path, request) => {
      await client(method, path, request);
      throw new Error('process died after the send');
    };
    const crashed = relayWith({ receiver: crashingAfterSend }, { maxBackoffMs: 0 });
    expect(await crashed.deliverDue()).toBe(0);
    expect(await eventRow(id)).toMatchObject({ status: 'pending' });

    const restarted = relayWith({ receiver: client }, { maxBackoffMs: 0 });
    expect(await restarted.deliverDue()).toBe(1);
    expect(receiver.received.map((r) => r.key)).toEqual([id, id]);
    expect(receiver.applied.size).toBe(1);
    expect(await eventRow(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('leaves a claimed event alone until its lease expires, then another relay sends it', async () => {
    const id = await addThingWithEvent(60);
    // Relay A sends and then hangs forever (a frozen process): its claim stays on the row.
    let releaseA: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const hangingAfterSend: ServiceClient = async (method, path, request) => {
      const response = await client(method, path, request);
      await hung;
      throw new Error(`too late: ${response.status}`);
    };
    const relayA = relayWith({ receiver: hangingAfterSend }, { maxBackoffMs: 0, leaseMs: 60_000 });
    const roundA = relayA.deliverDue();
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1));
    const claimed = await eventRow(id);
    expect(Date.parse(claimed.locked_until as string)).toBeGreaterThan(Date.now());

    const relayB = relayWith({ receiver: client }, { maxBackoffMs: 0 });
    expect(await relayB.deliverDue()).toBe(0);
    expect(receiver.received).toHaveLength(1);

    // The lease runs out (as if 60 s passed): B takes the event over.
    await db
      .updateTable('outbox')
      .set({ locked_until: new Date(Date.now() - 1).toISOString() })
      .where('id', '=', id)
      .execute();
    expect(await relayB.deliverDue()).toBe(1);
    expect(await eventRow(id)).toMatchObject({ status: 'sent' });

    // A wakes up and fails: its stale claim must not undo B's "sent".
    releaseA();
    expect(await roundA).toBe(0);
    expect(await eventRow(id)).toMatchObject({ status: 'sent' });
    expect(receiver.received.map((r) => r.key)).toEqual([id, id]);
    expect(receiver.applied.size).toBe(1);
  });

  it('sends each of many events exactly once when two relays (replicas) run at the same time', async () => {
    const second = await openDatabase<TestDb>({
      url: env.env.DATABASE_URL as string,
      schema: env.env.DATABASE_SCHEMA,
      migrations,
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 300; i += 1) ids.push(await addThingWithEvent(1000 + i));
      const one = relayWith({ receiver: client }, { batchSize: 20 });
      const two = relayWith({ receiver: client }, { batchSize: 20, dbOverride: second.db });
      const [a, b] = await Promise.all([one.deliverDue(), two.deliverDue()]);
      // a replica may stop early when the other took the remaining rows; finish what is left
      const rest = (await one.deliverDue()) + (await two.deliverDue());
      expect(a + b + rest).toBe(300);
      expect(receiver.received).toHaveLength(300);
      expect(new Set(receiver.received.map((r) => r.key)).size).toBe(300);
      expect(await one.pending()).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('removes delivered events after a week, and keeps pending and dead ones', async () => {
    const old = new Date(Date.now() - 8 * 24 * 3_600_000).toISOString();
    const [sent, recent, pending, dead] = [
      await addThingWithEvent(95),
      await addThingWithEvent(96),
      await addThingWithEvent(97),
      await addThingWithEvent(98),
    ];
    await db.updateTable('outbox').set({ status: 'sent', sent_at: old }).where('id', '=', sent).execute();
    await db.updateTable('outbox').set({ status: 'sent', sent_at: new Date().toISOString() }).where('id', '=', recent).execute();
    await db.updateTable('outbox').set({ status: 'dead', created_at: old }).where('id', '=', dead).execute();
    await db
      .updateTable('outbox')
      .set({ created_at: old, next_attempt_at: new Date(Date.now() + 3_600_000).toISOString() })
      .where('id', '=', pending)
      .execute();
    await relayWith({ receiver: client }).deliverDue();
    const left = (await db.selectFrom('outbox').select('id').execute()).map((row) => row.id).sort();
    expect(left).toEqual([recent, pending, dead].sort());
  });

  it('delivers soon after wake() without waiting for the poll interval', async () => {
    const relay = relayWith({ receiver: client });
    const id = await addThingWithEvent(70);
    relay.wake();
    await vi.waitFor(async () => expect((await eventRow(id)).status).toBe('sent'), { timeout: 5_000, interval: 20 });
    expect(receiver.received).toHaveLength(1);
  });

  it('polls on its own for events enqueued without a wake()', async () => {
    const relay = startOutboxRelay({ db, clients: { receiver: client }, logger: silentLogger, pollIntervalMs: 50 });
    relays.push(relay);
    const id = await addThingWithEvent(80);
    await vi.waitFor(async () => expect((await eventRow(id)).status).toBe('sent'), { timeout: 5_000, interval: 20 });
  });

  it('stop() waits for the round in progress', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: ServiceClient = async (method, path, request) => {
      await gate;
      return client(method, path, request);
    };
    const relay = startOutboxRelay({ db, clients: { receiver: slow }, logger: silentLogger, pollIntervalMs: 3_600_000 });
    const id = await addThingWithEvent(90);
    relay.wake();
    let stopped = false;
    const stopping = relay.stop().then(() => {
      stopped = true;
    });
    await vi.waitFor(async () => expect((await eventRow(id)).lease_token).not.toBeNull());
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await eventRow(id)).toMatchObject({ status: 'sent' });
  });
});

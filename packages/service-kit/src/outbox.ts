import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Migration } from 'kysely';
import { isPostgres } from './db.js';
import type { ServiceClient } from './http-client.js';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { observeMetric } from './metrics.js';

/**
 * Transactional outbox: a service writes its own change and an `outbox` row in one transaction;
 * the relay delivers the row over HTTP later, with retries, until the receiver says yes. The
 * event id travels as `Idempotency-Key`, so the receiver applies a redelivered event once.
 *
 * Delivery is at-least-once and unordered (events of a batch are sent concurrently): receivers
 * must dedupe by the key and be indifferent to order, as karma deltas are.
 */

export type OutboxStatus = 'pending' | 'sent' | 'dead';

/** Row type of `outbox`, for a service's Kysely schema interface. */
export interface OutboxTable {
  id: string;
  destination: string;
  method: string;
  path: string;
  /** JSON text */
  body: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  lease_token: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  /** When the relay gave up on the event (see `outboxDeadLettersMigration`); null otherwise. */
  dead_at: string | null;
}

export interface OutboxEvent {
  /** Key of the relay's `clients`: which service receives it, e.g. "users". */
  destination: string;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: unknown;
}

/** Add to the service's migrations record, e.g. `{ '001_posts': …, '090_outbox': outboxMigration }`. */
export const outboxMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('outbox')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('destination', 'varchar(64)', (col) => col.notNull())
      .addColumn('method', 'varchar(8)', (col) => col.notNull())
      .addColumn('path', 'varchar(2000)', (col) => col.notNull())
      .addColumn('body', 'text', (col) => col.notNull())
      .addColumn('status', 'varchar(8)', (col) => col.notNull().defaultTo('pending'))
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'varchar(30)', (col) => col.notNull())
      .addColumn('locked_until', 'varchar(30)')
      .addColumn('lease_token', 'varchar(36)')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
      .addColumn('sent_at', 'varchar(30)')
      .execute();
    // The relay's one query: pending rows that are due, oldest first.
    await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('outbox').execute();
  },
};

/**
 * Add after `outboxMigration` (e.g. `'092_outbox_dead_letters'`): when an event was given up on.
 * Dead events stay in the table (with `last_error`) until an operator replays or removes them.
 */
export const outboxDeadLettersMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('outbox').addColumn('dead_at', 'varchar(30)').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('outbox').dropColumn('dead_at').execute();
  },
};

/**
 * Records an event to deliver. Call it with the transaction that makes the state change, so the
 * change and its event commit (or roll back) together. Returns the event id (a uuid), which is
 * sent as `Idempotency-Key`.
 */
export async function enqueueEvent(trx: Kysely<any>, event: OutboxEvent): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await (trx as Kysely<{ outbox: OutboxTable }>)
    .insertInto('outbox')
    .values({
      id,
      destination: event.destination,
      method: event.method,
      path: event.path,
      body: JSON.stringify(event.body ?? null),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    })
    .execute();
  return id;
}

export interface OutboxRelayOptions {
  db: Kysely<any>;
  /** One service client per destination name used in `enqueueEvent`. */
  clients: Record<string, ServiceClient>;
  logger: FastifyBaseLogger;
  /** How often to look for due events besides `wake()` (default 1000 ms). */
  pollIntervalMs?: number;
  /** Events claimed and sent concurrently per round (default 50). */
  batchSize?: number;
  /** Cap of the exponential backoff between attempts of one event (default 60 000 ms). */
  maxBackoffMs?: number;
  /** How long a claim keeps other replicas off an event; must exceed a send's timeout (default 30 000 ms). */
  leaseMs?: number;
  /** Attempts after which a failing event is dead-lettered (default 500). */
  maxAttempts?: number;
  /** Age after which a failing event is dead-lettered (default 72 h). */
  maxAgeMs?: number;
}

export interface OutboxRelay {
  /** Look for due events now (call after committing a transaction that enqueued one). */
  wake(): void;
  /** Delivers every event due now; resolves with how many were sent. Rounds never overlap. */
  deliverDue(): Promise<number>;
  /** Stops polling and waits for a round in progress. */
  stop(): Promise<void>;
  /** Events not yet delivered (dead-lettered ones excluded). */
  pending(): Promise<number>;
}

const BASE_BACKOFF_MS = 500;
/** Delivered events are kept a week (to answer "was it sent?"), then removed, at most hourly. */
const SENT_RETENTION_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * 408, 425 and 429 are "try again later"; other 4xx answers will never change. A 409 is final
 * too: the receiver holds something that contradicts the event (its Idempotency-Key used for
 * another body, a unique value taken), and sending it again cannot change that.
 */
const RETRYABLE_4XX = new Set([408, 425, 429]);

type Outcome = 'sent' | 'retry' | 'dead';

/**
 * Delivers pending events over HTTP. Each round claims a batch with a lease (`locked_until`), so
 * several replicas never send the same event at the same time; a relay that dies mid-send leaves
 * its claim to expire and another round sends the event again, which the receiver dedupes.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { clients, logger } = options;
  const db = options.db as unknown as Kysely<{ outbox: OutboxTable }>;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 50;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 500;
  const maxAgeMs = options.maxAgeMs ?? 72 * 3_600_000;
  const postgres = isPostgres(db);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let active: Promise<number> | undefined;
  let queued: Promise<number> | undefined;
  let lastPrunedAt = 0;

  async function pruneSent(): Promise<void> {
    if (Date.now() - lastPrunedAt < PRUNE_EVERY_MS) return;
    lastPrunedAt = Date.now();
    await db
      .deleteFrom('outbox')
      .where('status', '=', 'sent')
      .where('sent_at', '<', new Date(Date.now() - SENT_RETENTION_MS).toISOString())
      .execute();
  }

  async function claimBatch(): Promise<OutboxTable[]> {
    const now = new Date();
    const nowIso = now.toISOString();
    const leaseToken = randomUUID();
    // One statement: atomic on SQLite; on Postgres SKIP LOCKED lets replicas claim disjoint rows.
    return db
      .updateTable('outbox')
      .set((eb) => ({
        locked_until: new Date(now.getTime() + leaseMs).toISOString(),
        lease_token: leaseToken,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', (eb) => {
        let due = eb
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', nowIso)
          .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<', nowIso)]))
          .orderBy('next_attempt_at')
          .orderBy('created_at')
          .limit(batchSize);
        if (postgres) due = due.forUpdate().skipLocked();
        return due;
      })
      .returningAll()
      .execute();
  }

  function backoffMs(attempts: number): number {
    const exponential = Math.min(maxBackoffMs, BASE_BACKOFF_MS * 2 ** Math.min(attempts - 1, 30));
    // Jitter spreads retries from many events (and replicas) that failed together.
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }

  async function markSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: new Date().toISOString(), locked_until: null, lease_token: null, last_error: null })
      .where('id', 'in', ids)
      .execute();
  }

  /** A retryable failure of an event tried too often or for too long: give up on it. */
  function exhausted(event: OutboxTable): string | undefined {
    if (event.attempts >= maxAttempts) return `gave up after ${event.attempts} attempts`;
    const age = Date.now() - Date.parse(event.created_at);
    if (age >= maxAgeMs) return `gave up after ${Math.round(age / 3_600_000)} h`;
    return undefined;
  }

  /** Records a failed attempt: retry after a backoff, or dead-letter. Returns what it did. */
  async function recordFailure(event: OutboxTable, outcome: 'retry' | 'dead', error: string): Promise<Outcome> {
    const givenUp = outcome === 'retry' ? exhausted(event) : undefined;
    if (givenUp) {
      logger.error({ eventId: event.id, destination: event.destination, attempts: event.attempts }, `outbox: ${givenUp}; dead-lettered`);
      error = `${givenUp}; last: ${error}`.slice(0, 1100);
      outcome = 'dead';
    }
    // Only the holder of the current claim records a failure: a stale relay must not reschedule
    // an event another relay has claimed (or sent) since.
    await db
      .updateTable('outbox')
      .set(
        outcome === 'dead'
          ? { status: 'dead', dead_at: new Date().toISOString(), locked_until: null, lease_token: null, last_error: error }
          : {
              next_attempt_at: new Date(Date.now() + backoffMs(event.attempts)).toISOString(),
              locked_until: null,
              lease_token: null,
              last_error: error,
            },
      )
      .where('id', '=', event.id)
      .where('status', '=', 'pending')
      .where('lease_token', '=', event.lease_token)
      .execute();
    return outcome;
  }

  async function deliver(event: OutboxTable): Promise<Outcome> {
    const client = clients[event.destination];
    const log = { eventId: event.id, destination: event.destination, path: event.path, attempts: event.attempts };
    if (!client) {
      // A configuration mistake: keep the event (never lose it) until a release knows the destination.
      logger.error(log, 'outbox: no client for this destination; will retry');
      return recordFailure(event, 'retry', `no client configured for destination "${event.destination}"`);
    }
    let status: number;
    let answer = '';
    try {
      const response = await client(event.method, event.path, { body: JSON.parse(event.body), idempotencyKey: event.id });
      status = response.status;
      if (status >= 300) answer = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn({ ...log, err: message }, 'outbox: delivery failed; will retry');
      return recordFailure(event, 'retry', message.slice(0, 1000));
    }
    if (status >= 200 && status < 300) {
      logger.debug(log, 'outbox: event delivered');
      return 'sent';
    }
    const error = `HTTP ${status}: ${answer.slice(0, 1000)}`;
    if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) {
      logger.error({ ...log, status, answer: answer.slice(0, 1000) }, 'outbox: event rejected; dead-lettered');
      return recordFailure(event, 'dead', error);
    }
    logger.warn({ ...log, status }, 'outbox: delivery failed; will retry');
    return recordFailure(event, 'retry', error);
  }

  async function runRound(): Promise<number> {
    await pruneSent();
    let sent = 0;
    for (;;) {
      const batch = await claimBatch();
      if (batch.length === 0) return sent;
      const outcomes = await Promise.all(batch.map(deliver));
      // One statement marks the round's deliveries; a crash before it only means redeliveries.
      const delivered = batch.filter((_event, index) => outcomes[index] === 'sent').map((event) => event.id);
      await markSent(delivered);
      sent += delivered.length;
      // A failure usually means the destination is down: wait for the next poll, don't hammer it.
      if (batch.length < batchSize || outcomes.includes('retry')) return sent;
    }
  }

  function deliverDue(): Promise<number> {
    if (queued) return queued;
    const start = () => {
      const round = runRound().finally(() => {
        if (active === round) active = undefined;
      });
      active = round;
      return round;
    };
    if (!active) return start();
    // A round is running and may have claimed before the caller's events committed: run one more after it.
    const next = active
      .catch(() => 0)
      .then(() => {
        queued = undefined;
        return start();
      });
    queued = next;
    return next;
  }

  function runInBackground() {
    deliverDue().catch((error: unknown) => logger.error({ err: error }, 'outbox: delivery round failed'));
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await deliverDue();
      } catch (error) {
        logger.error({ err: error }, 'outbox: delivery round failed');
      }
      schedule();
    }, pollIntervalMs);
    timer.unref();
  }
  schedule();

  return {
    wake() {
      if (!stopped) runInBackground();
    },
    deliverDue,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([active, queued]);
    },
    async pending() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

/** Env keys of a service that owns an outbox; spread into its `extendConfig({...})`. */
export const outboxConfigShape = {
  /** Deliver events from this process (turn off only when another process runs the relay). */
  OUTBOX_RELAY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** How often the relay looks for due events (it is also woken right after a commit). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** Longest wait between two attempts at one event while its receiver is down (backoff doubles up to it). */
  OUTBOX_MAX_BACKOFF_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Failed attempts after which an event is dead-lettered (kept, with its last error, for an operator). */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1_000_000).default(500),
  /** Age after which an event still failing is dead-lettered; keep it below PROCESSED_EVENTS_RETENTION_HOURS of the receiver. */
  OUTBOX_MAX_AGE_HOURS: z.coerce.number().int().min(1).max(8_760).default(72),
};

export interface OutboxConfig {
  OUTBOX_RELAY: boolean;
  OUTBOX_POLL_MS: number;
  OUTBOX_MAX_BACKOFF_MS: number;
  OUTBOX_MAX_ATTEMPTS: number;
  OUTBOX_MAX_AGE_HOURS: number;
}

/**
 * Starts a service's relay when OUTBOX_RELAY is on, and stops it before the app closes its
 * database, so no delivery is cut off half-way by the closing pool.
 */
export function startServiceOutboxRelay(
  app: { log: FastifyBaseLogger; addHook(name: 'preClose', hook: () => Promise<void>): unknown; metrics?: Registry },
  db: Kysely<any>,
  config: OutboxConfig,
  clients: Record<string, ServiceClient>,
): OutboxRelay | undefined {
  if (app.metrics) observeOutbox(app.metrics, db, Object.keys(clients));
  if (!config.OUTBOX_RELAY) return undefined;
  const relay = startOutboxRelay({
    db,
    clients,
    logger: app.log,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    maxAgeMs: config.OUTBOX_MAX_AGE_HOURS * 3_600_000,
  });
  app.addHook('preClose', () => relay.stop());
  return relay;
}

/**
 * The outbox's backlog at scrape time, per destination: events waiting (pending), given up on
 * (dead), and the age of the oldest waiting one. Every destination the relay knows has a series
 * (0 when nothing waits). Every replica reports the same table: alert on max(), not sum().
 */
export function observeOutbox(registry: Registry, db: Kysely<any>, destinations: string[] = []): void {
  const outbox = db as unknown as Kysely<{ outbox: OutboxTable }>;
  const withKnown = <T>(rows: Map<string, T>, empty: T) => {
    for (const destination of destinations) if (!rows.has(destination)) rows.set(destination, empty);
    return [...rows.entries()];
  };
  observeMetric(registry, {
    name: 'outbox_events',
    help: 'Outbox events not delivered, by destination and status (pending: still being tried; dead: given up, needs an operator)',
    type: 'gauge',
    collect: async () => {
      const rows = await outbox
        .selectFrom('outbox')
        .select(['destination', 'status', (eb) => eb.fn.countAll<number>().as('count')])
        .where('status', 'in', ['pending', 'dead'])
        .groupBy(['destination', 'status'])
        .execute();
      const counts = new Map<string, { pending: number; dead: number }>();
      for (const row of rows) {
        const entry = counts.get(row.destination) ?? { pending: 0, dead: 0 };
        entry[row.status as 'pending' | 'dead'] = Number(row.count);
        counts.set(row.destination, entry);
      }
      return withKnown(counts, { pending: 0, dead: 0 }).flatMap(([destination, count]) => [
        { labels: { destination, status: 'pending' }, value: count.pending },
        { labels: { destination, status: 'dead' }, value: count.dead },
      ]);
    },
  });
  observeMetric(registry, {
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox event not yet delivered, by destination (0 when none waits)',
    type: 'gauge',
    collect: async () => {
      const rows = await outbox
        .selectFrom('outbox')
        .select(['destination', (eb) => eb.fn.min('created_at').as('created_at')])
        .where('status', '=', 'pending')
        .groupBy('destination')
        .execute();
      const ages = new Map<string, number>();
      for (const row of rows) {
        const createdAt = Date.parse(String(row.created_at));
        ages.set(row.destination, Number.isNaN(createdAt) ? 0 : Math.max(0, (Date.now() - createdAt) / 1000));
      }
      return withKnown(ages, 0).map(([destination, value]) => ({ labels: { destination }, value }));
    },
  });
}

import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';

/**
 * Receivers of outbox events keep the keys they applied in one table shape, `processed_keys`
 * (scope, key, result, created_at), so a redelivery counts once: users (scope `karma`) and scores
 * (scope `score`) use it through `processedKeys(db, scope)`.
 *
 * `Idempotency-Key` on public creates (`idempotency_keys`, ./idempotency.ts) is deliberately not
 * folded in: its row is a stored response (status, body, request hash) per user that lives 24 h
 * and is replayed, not a marker that lives as long as a sender may redeliver; putting response
 * bodies in this table would keep them for PROCESSED_EVENTS_RETENTION_HOURS (30 days) and mix two
 * lifetimes in one pruning rule.
 *
 * A key is only needed while its event can still arrive: A key is only needed while its event can still arrive: the sender
 * dead-letters an event after OUTBOX_MAX_AGE_HOURS (72 h by default), so keys are removed after
 * PROCESSED_EVENTS_RETENTION_HOURS (30 days by default), which must stay well above it.
 */
export const processedEventsConfigShape = {
  /** Keys of applied events older than this are removed (hourly); keep it above every sender's OUTBOX_MAX_AGE_HOURS. */
  PROCESSED_EVENTS_RETENTION_HOURS: z.coerce.number().int().min(24).max(87_600).default(720),
};

export const PROCESSED_KEYS_TABLE = 'processed_keys';

/** Row type of `processed_keys`, for a service's Kysely schema interface. */
export interface ProcessedKeysTable {
  /** what kind of event the key belongs to, e.g. `karma`, `score` */
  scope: string;
  /** the sender-scoped idempotency key, e.g. `votes:<event id>` */
  key: string;
  /** JSON text of what applying the event recorded (to tell a reused key from a redelivery), or null */
  result: string | null;
  created_at: string;
}

/** Creates `processed_keys` (use from a service migration; `ifNotExists` lets several scopes share it). */
export async function createProcessedKeysTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(PROCESSED_KEYS_TABLE)
    .ifNotExists()
    .addColumn('scope', 'varchar(50)', (col) => col.notNull())
    .addColumn('key', 'varchar(250)', (col) => col.notNull())
    .addColumn('result', 'text')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addPrimaryKeyConstraint('processed_keys_pk', ['scope', 'key'])
    .execute();
  await db.schema.createIndex('processed_keys_created_at').ifNotExists().on(PROCESSED_KEYS_TABLE).column('created_at').execute();
}

export async function dropProcessedKeysTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable(PROCESSED_KEYS_TABLE).ifExists().execute();
}

/**
 * Copies every row of `from` into `to` in batches of 500 ordered by `orderBy` (a unique column),
 * mapping each row; for migrations that move keys between an old table and `processed_keys`.
 */
export async function copyRowsInBatches(
  db: Kysely<any>,
  options: {
    from: string;
    to: string;
    orderBy: string;
    where?: [string, string];
    map: (row: Record<string, any>) => Record<string, unknown>;
  },
): Promise<number> {
  let after: string | undefined;
  let copied = 0;
  for (;;) {
    let query = db.selectFrom(options.from).selectAll().orderBy(options.orderBy).limit(500);
    if (options.where) query = query.where(options.where[0], '=', options.where[1]);
    if (after !== undefined) query = query.where(options.orderBy, '>', after);
    const rows = (await query.execute()) as Record<string, any>[];
    if (rows.length === 0) return copied;
    await db.insertInto(options.to).values(rows.map(options.map)).execute();
    copied += rows.length;
    after = rows[rows.length - 1]![options.orderBy] as string;
  }
}

/**
 * Applied keys of one scope. `recordOnce` inserts the key inside the caller's transaction and says
 * whether it was new: false means the event was already applied (on Postgres a concurrent
 * duplicate waits for the first transaction, then sees the key). `find` returns what was recorded.
 */
export function processedKeys<Result = unknown>(db: Kysely<any>, scope: string) {
  return {
    async recordOnce(key: string, result?: Result, trx: Kysely<any> = db): Promise<boolean> {
      const inserted = await trx
        .insertInto(PROCESSED_KEYS_TABLE)
        .values({
          scope,
          key,
          result: result === undefined ? null : JSON.stringify(result),
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    /** Undefined when the key was not applied (or was pruned); `result` is undefined when none was stored. */
    async find(key: string, trx: Kysely<any> = db): Promise<{ result: Result | undefined; createdAt: string } | undefined> {
      const row = (await trx
        .selectFrom(PROCESSED_KEYS_TABLE)
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst()) as ProcessedKeysTable | undefined;
      if (!row) return undefined;
      return { result: row.result === null ? undefined : (JSON.parse(row.result) as Result), createdAt: row.created_at };
    },
  };
}

export type ProcessedKeys<Result = unknown> = ReturnType<typeof processedKeys<Result>>;

export interface ProcessedEventsPruner {
  /** Removes the keys older than the retention now; resolves with how many. */
  pruneNow(): Promise<number>;
  stop(): Promise<void>;
}

/** Prunes `processed_keys` (or another table with a `created_at` ISO column) hourly, and on `pruneNow()`. */
export function startProcessedEventsPruning(options: {
  db: Kysely<any>;
  table?: string;
  retentionHours: number;
  logger: FastifyBaseLogger;
  everyMs?: number;
}): ProcessedEventsPruner {
  const { db, retentionHours, logger } = options;
  const table = options.table ?? PROCESSED_KEYS_TABLE;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function prune(): Promise<number> {
    const cutoff = new Date(Date.now() - retentionHours * 3_600_000).toISOString();
    const result = await db.deleteFrom(table).where('created_at', '<', cutoff).executeTakeFirst();
    const removed = Number(result.numDeletedRows ?? 0n);
    if (removed > 0) logger.info({ table, removed }, 'pruned keys of old processed events');
    return removed;
  }

  function pruneNow(): Promise<number> {
    running ??= prune().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) pruneNow().catch((error: unknown) => logger.error({ err: error, table }, 'pruning processed events failed'));
  }, options.everyMs ?? 3_600_000);
  timer.unref();

  return {
    pruneNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

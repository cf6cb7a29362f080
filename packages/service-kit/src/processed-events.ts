import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';

/**
 * Receivers of outbox events keep the keys they applied (`karma_events`, `score_events`) so a
 * redelivery counts once. A key is only needed while its event can still arrive: the sender
 * dead-letters an event after OUTBOX_MAX_AGE_HOURS (72 h by default), so keys are removed after
 * PROCESSED_EVENTS_RETENTION_HOURS (30 days by default), which must stay well above it.
 */
export const processedEventsConfigShape = {
  /** Keys of applied events older than this are removed (hourly); keep it above every sender's OUTBOX_MAX_AGE_HOURS. */
  PROCESSED_EVENTS_RETENTION_HOURS: z.coerce.number().int().min(24).max(87_600).default(720),
};

export interface ProcessedEventsPruner {
  /** Removes the keys older than the retention now; resolves with how many. */
  pruneNow(): Promise<number>;
  stop(): Promise<void>;
}

/** Prunes a processed-keys table (with a `created_at` ISO column) at start and then hourly. */
export function startProcessedEventsPruning(options: {
  db: Kysely<any>;
  table: string;
  retentionHours: number;
  logger: FastifyBaseLogger;
  everyMs?: number;
}): ProcessedEventsPruner {
  const { db, table, retentionHours, logger } = options;
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

import { type Database, openDatabase, startProcessedEventsPruning } from '@codeyard/service-kit';
import { describeEachDatabase, freshDatabase } from '@codeyard/test-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';

const migrations = {
  '001_applied': {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('applied_events')
        .addColumn('idempotency_key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
        .execute();
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable('applied_events').execute();
    },
  },
};

describeEachDatabase('service-kit: pruning keys of processed events', (target) => {
  let cleanup: () => Promise<void>;
  let database: Database<any>;
  beforeAll(async () => {
    const fresh = await freshDatabase(target);
    cleanup = fresh.cleanup;
    database = await openDatabase<any>({ url: fresh.env.DATABASE_URL as string, schema: fresh.env.DATABASE_SCHEMA, migrations });
  });
  afterAll(async () => {
    await database.close();
    await cleanup();
  });

  it('removes keys older than the retention and keeps the younger ones', async () => {
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    await database.db
      .insertInto('applied_events')
      .values([
        { idempotency_key: 'old', created_at: hoursAgo(721) },
        { idempotency_key: 'older', created_at: hoursAgo(5000) },
        { idempotency_key: 'young', created_at: hoursAgo(719) },
        { idempotency_key: 'new', created_at: hoursAgo(0) },
      ])
      .execute();
    const pruner = startProcessedEventsPruning({
      db: database.db,
      table: 'applied_events',
      retentionHours: 720,
      logger: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
    });
    try {
      expect(await pruner.pruneNow()).toBe(2);
      const left = await database.db.selectFrom('applied_events').select('idempotency_key').orderBy('idempotency_key').execute();
      expect(left.map((row: { idempotency_key: string }) => row.idempotency_key)).toEqual(['new', 'young']);
      expect(await pruner.pruneNow()).toBe(0);
    } finally {
      await pruner.stop();
    }
  });
});

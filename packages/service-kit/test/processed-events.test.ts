import {
  createProcessedKeysTable,
  type Database,
  dropProcessedKeysTable,
  openDatabase,
  processedKeys,
  startProcessedEventsPruning,
} from '@codeyard/service-kit';
import { describeEachDatabase, freshDatabase } from '@codeyard/test-kit';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';

const migrations = { '001_processed_keys': { up: createProcessedKeysTable, down: dropProcessedKeysTable } };

describeEachDatabase('service-kit: processed keys', (target) => {
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
  beforeEach(async () => {
    await database.db.deleteFrom('processed_keys').execute();
  });

  it('records a key once per scope, keeps what it recorded, and a rolled-back transaction leaves no key', async () => {
    const karma = processedKeys<{ delta: number }>(database.db, 'karma');
    const score = processedKeys(database.db, 'score');
    expect(await karma.recordOnce('votes:1', { delta: 1 })).toBe(true);
    expect(await karma.recordOnce('votes:1', { delta: 5 })).toBe(false);
    // the same key in another scope is a different event
    expect(await score.recordOnce('votes:1')).toBe(true);
    expect((await karma.find('votes:1'))?.result).toEqual({ delta: 1 });
    expect(await score.find('votes:1')).toMatchObject({ result: undefined });
    expect(await karma.find('votes:2')).toBeUndefined();

    await expect(
      database.db.transaction().execute(async (trx) => {
        expect(await karma.recordOnce('votes:3', { delta: 1 }, trx)).toBe(true);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await karma.find('votes:3')).toBeUndefined();
    expect(await karma.recordOnce('votes:3', { delta: 1 })).toBe(true);
  });

  it('prunes keys older than the retention and keeps the younger ones', async () => {
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    await database.db
      .insertInto('processed_keys')
      .values([
        { scope: 'karma', key: 'old', result: null, created_at: hoursAgo(721) },
        { scope: 'score', key: 'older', result: null, created_at: hoursAgo(5000) },
        { scope: 'karma', key: 'young', result: null, created_at: hoursAgo(719) },
        { scope: 'score', key: 'new', result: null, created_at: hoursAgo(0) },
      ])
      .execute();
    const pruner = startProcessedEventsPruning({
      db: database.db,
      retentionHours: 720,
      logger: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
    });
    try {
      expect(await pruner.pruneNow()).toBe(2);
      const left = await database.db.selectFrom('processed_keys').select('key').orderBy('key').execute();
      expect(left.map((row: { key: string }) => row.key)).toEqual(['new', 'young']);
      expect(await pruner.pruneNow()).toBe(0);
    } finally {
      await pruner.stop();
    }
  });
});

import { openDatabase } from '@codeyard/service-kit';
import { describeEachDatabase, describeMigrations, freshDatabase } from '@codeyard/test-kit';
import { Migrator } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('scores', migrations, ['processed_keys', 'scores']);

describeEachDatabase('scores: the processed_keys migration', (target) => {
  it('moves score_events into processed_keys (scope score) and its down step moves them back', async () => {
    const fresh = await freshDatabase(target);
    const url = fresh.env.DATABASE_URL as string;
    const schema = fresh.env.DATABASE_SCHEMA;
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '003_processed_keys'));
    const old = await openDatabase<any>({ url, schema, migrations: before });
    const events = [
      { idempotency_key: 'exercises:a', user_id: 3, exercise_id: 9, correct: 1, created_at: '2026-12-01T00:00:00.000Z' },
      { idempotency_key: 'exercises:b', user_id: 4, exercise_id: 2, correct: 0, created_at: '2026-12-02T00:00:00.000Z' },
    ];
    await old.db.insertInto('score_events').values(events).execute();
    await old.close();
    const database = await openDatabase<any>({ url, schema, migrations });
    try {
      expect(await database.db.selectFrom('processed_keys').selectAll().orderBy('key').execute()).toEqual([
        { scope: 'score', key: 'exercises:a', result: '{"userId":3,"exerciseId":9,"correct":true}', created_at: events[0]!.created_at },
        { scope: 'score', key: 'exercises:b', result: '{"userId":4,"exerciseId":2,"correct":false}', created_at: events[1]!.created_at },
      ]);
      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => migrations },
        ...(database.kind === 'postgres' && { migrationTableSchema: schema ?? 'public' }),
      });
      expect((await migrator.migrateTo('002_score_events')).error).toBeUndefined();
      expect(await database.db.selectFrom('score_events').selectAll().orderBy('idempotency_key').execute()).toEqual(events);
    } finally {
      await database.close();
      await fresh.cleanup();
    }
  });
});

import { migrateAllDown, migrateToLatest, openDatabase } from '@codeyard/service-kit';
import { describeEachDatabase, freshDatabase } from '@codeyard/test-kit';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeEachDatabase('scores: migrations', (target) => {
  it('migrate up, all the way down, and up again', async () => {
    const env = await freshDatabase(target);
    const url = env.env.DATABASE_URL ?? '';
    const schema = env.env.DATABASE_SCHEMA;
    const database = await openDatabase({ url, schema, migrations });
    try {
      await migrateAllDown(database.db, migrations, database.kind === 'postgres' ? (schema ?? 'public') : undefined);
      const failing = sql`select count(*) from scores`.execute(database.db);
      await expect(failing).rejects.toThrow();
      await migrateToLatest(database.db, migrations, database.kind === 'postgres' ? (schema ?? 'public') : undefined);
      const rows = await sql<{ n: number }>`select count(*) as n from scores`.execute(database.db);
      expect(Number(rows.rows[0]?.n)).toBe(0);
    } finally {
      await database.close();
      await env.cleanup();
    }
  });
});

import { migrateAllDown, migrateToLatest, openDatabase } from '@codeyard/service-kit';
import { describeEachDatabase, freshDatabase } from '@codeyard/test-kit';
import { expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeEachDatabase('posts: migrations', (target) => {
  it('migrates up, all the way down, and up again', async () => {
    const fresh = await freshDatabase(target);
    const schema = fresh.env.DATABASE_SCHEMA;
    const database = await openDatabase({ url: fresh.env.DATABASE_URL as string, schema, migrations });
    const migrationSchema = database.kind === 'postgres' ? (schema ?? 'public') : undefined;
    const tables = async () =>
      (await database.db.introspection.getTables())
        .filter((table) => (migrationSchema === undefined || table.schema === migrationSchema) && !table.name.startsWith('kysely_'))
        .map((table) => table.name)
        .sort();
    try {
      expect(await tables()).toEqual(['communities', 'idempotency_keys', 'posts']);
      await migrateAllDown(database.db, migrations, migrationSchema);
      expect(await tables()).toEqual([]);
      await migrateToLatest(database.db, migrations, migrationSchema);
      expect(await tables()).toEqual(['communities', 'idempotency_keys', 'posts']);
    } finally {
      await database.close();
      await fresh.cleanup();
    }
  });
});

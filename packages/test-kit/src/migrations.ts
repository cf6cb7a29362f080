import { type Database, migrateAllDown, migrateToLatest, openDatabase } from '@codeyard/service-kit';
import type { Migration } from 'kysely';
import { expect, it } from 'vitest';
import { type DatabaseTargetName, freshDatabase } from './databases.js';
import { describeEachDatabase } from './describe-each-database.js';

/**
 * The migration test every service has: on each database, migrate up (the expected tables
 * exist), all the way down (none is left), and up again; `afterUp` checks what the last step
 * must restore (constraints, indexes) on the database it is given.
 */
export function describeMigrations(
  service: string,
  migrations: Record<string, Migration>,
  expectedTables: string[],
  afterUp?: (database: Database<any>, target: DatabaseTargetName) => Promise<void>,
) {
  describeEachDatabase(`${service}: migrations`, (target) => {
    it('migrates up, all the way down, and up again', async () => {
      const fresh = await freshDatabase(target);
      const schema = fresh.env.DATABASE_SCHEMA;
      const database = await openDatabase<any>({ url: fresh.env.DATABASE_URL as string, schema, migrations });
      const migrationSchema = database.kind === 'postgres' ? (schema ?? 'public') : undefined;
      const tables = async () =>
        (await database.db.introspection.getTables())
          .filter((table) => (migrationSchema === undefined || table.schema === migrationSchema) && !table.name.startsWith('kysely_'))
          .map((table) => table.name)
          .sort();
      try {
        expect(await tables()).toEqual([...expectedTables].sort());
        await migrateAllDown(database.db, migrations, migrationSchema);
        expect(await tables()).toEqual([]);
        await migrateToLatest(database.db, migrations, migrationSchema);
        expect(await tables()).toEqual([...expectedTables].sort());
        await afterUp?.(database, target);
      } finally {
        await database.close();
        await fresh.cleanup();
      }
    });
  });
}

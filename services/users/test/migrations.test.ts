import { migrateAllDown, migrateToLatest, openDatabase } from '@codeyard/service-kit';
import { describeEachDatabase, freshDatabase } from '@codeyard/test-kit';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeEachDatabase('users: migrations', (target) => {
  it('migrate up, all the way down, and up again', async () => {
    const fresh = await freshDatabase(target);
    const schema = fresh.env.DATABASE_SCHEMA;
    const database = await openDatabase<any>({ url: fresh.env.DATABASE_URL as string, schema, migrations });
    try {
      const tables = async () => {
        const names = await database.db.introspection.getTables();
        return names.filter((t) => !schema || t.schema === schema).map((t) => t.name).filter((n) => !n.startsWith('kysely_')).sort();
      };
      expect(await tables()).toEqual(['karma_events', 'refresh_tokens', 'sessions', 'users']);
      await migrateAllDown(database.db, migrations, target === 'postgres' ? schema : undefined);
      expect(await tables()).toEqual([]);
      await migrateToLatest(database.db, migrations, target === 'postgres' ? schema : undefined);
      expect(await tables()).toEqual(['karma_events', 'refresh_tokens', 'sessions', 'users']);
      // the case-insensitive unique index is back too
      await sql`insert into users (username, email, password_hash, created_at, updated_at) values ('Ann', 'a@x.test', 'h', 'now', 'now')`.execute(database.db);
      await expect(
        sql`insert into users (username, email, password_hash, created_at, updated_at) values ('ANN', 'b@x.test', 'h', 'now', 'now')`.execute(database.db),
      ).rejects.toThrow();
    } finally {
      await database.close();
      await fresh.cleanup();
    }
  });
});

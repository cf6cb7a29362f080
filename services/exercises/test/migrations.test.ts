import { openDatabase } from '@codeyard/service-kit';
import { describeEachDatabase, describeMigrations, freshDatabase } from '@codeyard/test-kit';
import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('exercises', migrations, ['exercises', 'idempotency_keys', 'outbox', 'submissions']);

describeEachDatabase('exercises: the difficulty migration', (target) => {
  it('gives exercises written before it the medium difficulty, and its down step removes the column only', async () => {
    const fresh = await freshDatabase(target);
    const url = fresh.env.DATABASE_URL as string;
    const schema = fresh.env.DATABASE_SCHEMA;
    // The migrations before it (later ones, e.g. 092_outbox_dead_letters, must not run ahead of it).
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '091_difficulty'));
    const old = await openDatabase<any>({ url, schema, migrations: before });
    await sql`insert into exercises (title, body, language, entrypoint, starter_code, examples, tests, solution, created_at, updated_at)
      values ('Old', 'b', 'python', 'f', '', '[]', '[]', 's', 'now', 'now')`.execute(old.db);
    await old.close();
    const database = await openDatabase<any>({ url, schema, migrations });
    try {
      const columns = async () =>
        (await database.db.introspection.getTables())
          // On PostgreSQL other tests' schemas in the same database hold their own `exercises`.
          .find((table) => table.name === 'exercises' && (database.kind !== 'postgres' || table.schema === (schema ?? 'public')))
          ?.columns.map((column) => column.name);
      expect(await database.db.selectFrom('exercises').select(['title', 'difficulty']).execute()).toEqual([
        { title: 'Old', difficulty: 'medium' },
      ]);
      expect(await columns()).toContain('difficulty');
      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => migrations },
        ...(database.kind === 'postgres' && { migrationTableSchema: schema ?? 'public' }),
      });
      const { error } = await migrator.migrateTo('090_outbox');
      expect(error).toBeUndefined();
      expect(await columns()).not.toContain('difficulty');
      expect(await database.db.selectFrom('exercises').select('title').execute()).toEqual([{ title: 'Old' }]);
    } finally {
      await database.close();
      await fresh.cleanup();
    }
  });
});

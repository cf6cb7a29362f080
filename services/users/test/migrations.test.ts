import { openDatabase } from '@codeyard/service-kit';
import { describeEachDatabase, describeMigrations, freshDatabase } from '@codeyard/test-kit';
import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('users', migrations, ['login_failures', 'processed_keys', 'refresh_tokens', 'revocations', 'sessions', 'users'], async ({ db }) => {
  // the case-insensitive unique index on usernames is back too
  await sql`insert into users (username, email, password_hash, created_at, updated_at) values ('Ann', 'a@x.test', 'h', 'now', 'now')`.execute(db);
  await expect(
    sql`insert into users (username, email, password_hash, created_at, updated_at) values ('ANN', 'b@x.test', 'h', 'now', 'now')`.execute(db),
  ).rejects.toThrow();
});

describeEachDatabase('users: the processed_keys migration', (target) => {
  it('moves karma_events into processed_keys (scope karma) and its down step moves them back', async () => {
    const fresh = await freshDatabase(target);
    const url = fresh.env.DATABASE_URL as string;
    const schema = fresh.env.DATABASE_SCHEMA;
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '005_processed_keys'));
    const old = await openDatabase<any>({ url, schema, migrations: before });
    const events = [
      { idempotency_key: 'votes:1', user_id: 7, delta: 1, created_at: '2026-12-01T00:00:00.000Z' },
      { idempotency_key: 'votes:2', user_id: 7, delta: -1, created_at: '2026-12-02T00:00:00.000Z' },
    ];
    await old.db.insertInto('karma_events').values(events).execute();
    await old.close();
    const database = await openDatabase<any>({ url, schema, migrations });
    try {
      expect(await database.db.selectFrom('processed_keys').selectAll().orderBy('key').execute()).toEqual([
        { scope: 'karma', key: 'votes:1', result: '{"userId":7,"delta":1}', created_at: events[0]!.created_at },
        { scope: 'karma', key: 'votes:2', result: '{"userId":7,"delta":-1}', created_at: events[1]!.created_at },
      ]);
      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => migrations },
        ...(database.kind === 'postgres' && { migrationTableSchema: schema ?? 'public' }),
      });
      expect((await migrator.migrateTo('004_login_failures')).error).toBeUndefined();
      expect(await database.db.selectFrom('karma_events').selectAll().orderBy('idempotency_key').execute()).toEqual(events);
    } finally {
      await database.close();
      await fresh.cleanup();
    }
  });
});

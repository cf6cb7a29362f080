import {
  AppError,
  type Database,
  type IdempotencyKeysTable,
  idempotencyMigration,
  openDatabase,
  requestHash,
  withIdempotency,
} from '@codeyard/service-kit';
import { type DatabaseEnv, describeEachDatabase, freshDatabase } from '@codeyard/test-kit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

interface NotesTable {
  id: number;
  user_id: number;
  text: string;
}
interface TestDb {
  notes: NotesTable;
  idempotency_keys: IdempotencyKeysTable;
}

const migrations = {
  '001_notes': {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('notes')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('text', 'varchar(100)', (c) => c.notNull())
        .execute();
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable('notes').execute();
    },
  },
  '091_idempotency': idempotencyMigration,
};

describeEachDatabase('service-kit: idempotent creates', (target) => {
  let env: DatabaseEnv;
  let database: Database<TestDb>;
  let db: Kysely<TestDb>;
  let nextId = 1;

  beforeAll(async () => {
    env = await freshDatabase(target);
    database = await openDatabase<TestDb>({ url: env.env.DATABASE_URL as string, schema: env.env.DATABASE_SCHEMA, migrations });
    db = database.db;
  });
  afterAll(async () => {
    await database.close();
    await env.cleanup();
  });

  /** The domain's create: inserts a note and answers 201 with it. */
  function createNote(userId: number, key: string | undefined, text: string) {
    return withIdempotency(db, { userId, key, request: { text } }, async (trx) => {
      const id = nextId++;
      await trx.insertInto('notes').values({ id, user_id: userId, text }).execute();
      return { statusCode: 201, body: { id, text } };
    });
  }
  const countNotes = async (userId: number) =>
    Number(
      (
        await db
          .selectFrom('notes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates every time when no key is given', async () => {
    await createNote(1, undefined, 'a');
    await createNote(1, undefined, 'a');
    expect(await countNotes(1)).toBe(2);
  });

  it('returns the first response for a repeated key and creates once', async () => {
    const first = await createNote(2, 'key-1', 'hello');
    const second = await createNote(2, 'key-1', 'hello');
    expect(first).toEqual({ statusCode: 201, body: { id: expect.any(Number), text: 'hello' }, replayed: false });
    expect(second).toEqual({ ...first, replayed: true });
    expect(await countNotes(2)).toBe(1);
  });

  it('answers 409 when the key comes back with a different request, and creates nothing', async () => {
    await createNote(3, 'key-1', 'hello');
    const reused = createNote(3, 'key-1', 'something else');
    await expect(reused).rejects.toBeInstanceOf(AppError);
    await expect(createNote(3, 'key-1', 'something else')).rejects.toMatchObject({
      statusCode: 409,
      errors: { 'idempotency-key': 'was used with a different request body' },
    });
    expect(await countNotes(3)).toBe(1);
  });

  it('keeps keys apart per user', async () => {
    const mine = await createNote(4, 'shared-key', 'x');
    const theirs = await createNote(5, 'shared-key', 'x');
    expect(theirs.replayed).toBe(false);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('treats a key older than 24 hours as new', async () => {
    const first = await createNote(6, 'old-key', 'x');
    await db
      .updateTable('idempotency_keys')
      .set({ created_at: new Date(Date.now() - 25 * 3600_000).toISOString() })
      .where('user_id', '=', 6)
      .execute();
    const again = await createNote(6, 'old-key', 'x');
    expect(again.replayed).toBe(false);
    expect(again.body.id).not.toBe(first.body.id);
    expect(await countNotes(6)).toBe(2);
    const keys = await db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', 6).execute();
    expect(keys).toHaveLength(1);
  });

  it('stores nothing when the create fails, so the same key can be retried', async () => {
    const failing = withIdempotency(db, { userId: 7, key: 'k', request: { text: 'x' } }, async (trx) => {
      await trx.insertInto('notes').values({ id: nextId++, user_id: 7, text: 'x' }).execute();
      throw new AppError(409, 'recipient unknown');
    });
    await expect(failing).rejects.toMatchObject({ statusCode: 409, message: 'recipient unknown' });
    expect(await countNotes(7)).toBe(0);
    const retried = await createNote(7, 'k', 'x');
    expect(retried.replayed).toBe(false);
    expect(await countNotes(7)).toBe(1);
  });

  it('creates once when the same key arrives many times at the same moment', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => createNote(8, 'race', 'same')));
    expect(await countNotes(8)).toBe(1);
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('fingerprints a request independently of key order', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(requestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash({ a: 1, b: undefined })).toBe(requestHash({ a: 1 }));
  });
});

import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, withStatementCache } from '@codeyard/service-kit';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

/** An in-memory SQLite database that counts how often each SQL text is prepared. */
function countingDatabase() {
  const sqlite = new SqliteDatabase(':memory:');
  const prepared = new Map<string, number>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((text: string) => {
    prepared.set(text, (prepared.get(text) ?? 0) + 1);
    return prepare(text);
  }) as typeof sqlite.prepare;
  return { sqlite, prepared };
}

describe('service-kit: SQLite statement cache', () => {
  const open: Array<Kysely<any>> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.destroy()));
  });

  it('prepares each SQL text once however often Kysely runs it, with the right rows each time', async () => {
    const { sqlite, prepared } = countingDatabase();
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    open.push(db);
    await db.schema
      .createTable('post')
      .addColumn('id', 'integer', (col) => col.primaryKey())
      .addColumn('title', 'text')
      .execute();
    for (let id = 1; id <= 5; id++)
      await db
        .insertInto('post')
        .values({ id, title: `post ${id}` })
        .execute();
    for (let id = 1; id <= 5; id++) {
      expect(await db.selectFrom('post').select('title').where('id', '=', id).executeTakeFirst()).toEqual({ title: `post ${id}` });
    }
    const counts = [...prepared.entries()].filter(([text]) => !text.startsWith('create table'));
    expect(counts).toEqual([
      ['insert into "post" ("id", "title") values (?, ?)', 1],
      ['select "title" from "post" where "id" = ?', 1],
    ]);
  });

  it('sees a column a later migration added (SQLite re-prepares a cached statement when the schema changes)', async () => {
    const { sqlite } = countingDatabase();
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    open.push(db);
    await db.schema
      .createTable('post')
      .addColumn('id', 'integer', (col) => col.primaryKey())
      .execute();
    await db.insertInto('post').values({ id: 1 }).execute();
    expect(await db.selectFrom('post').selectAll().execute()).toEqual([{ id: 1 }]);
    await db.schema
      .alterTable('post')
      .addColumn('score', 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
    expect(await db.selectFrom('post').selectAll().execute()).toEqual([{ id: 1, score: 0 }]);
  });

  it('keeps the most recently used statements only, and never hands out one that is still iterating', () => {
    const { sqlite, prepared } = countingDatabase();
    const cache = withStatementCache(sqlite, 2);
    const texts = ['select 1 as n', 'select 2 as n', 'select 3 as n'];
    cache.prepare(texts[0] as string);
    cache.prepare(texts[1] as string);
    cache.prepare(texts[0] as string); // most recently used now: 1 stays, 2 is dropped for 3
    cache.prepare(texts[2] as string);
    cache.prepare(texts[0] as string);
    cache.prepare(texts[1] as string);
    expect(Object.fromEntries(prepared)).toEqual({ 'select 1 as n': 1, 'select 2 as n': 2, 'select 3 as n': 1 });

    const iterating = cache.prepare('select value from json_each(?)');
    const rows = iterating.iterate('[1,2]');
    rows.next();
    const other = cache.prepare('select value from json_each(?)');
    expect(other).not.toBe(iterating);
    expect(other.all('[3]')).toEqual([{ value: 3 }]);
    rows.return?.();
    expect(cache.prepare('select value from json_each(?)')).toBe(iterating);
    cache.close();
  });
});

describe('service-kit: SQLite files are owner-only', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const modeOf = (path: string) => statSync(path).mode & 0o777;
  const migrations = {
    '001_note': {
      up: async (db: Kysely<any>) => {
        await db.schema
          .createTable('note')
          .addColumn('id', 'integer', (col) => col.primaryKey())
          .execute();
      },
    },
  };

  it('creates the database, its WAL and shared-memory files 0600 whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codeyard-db-'));
    dirs.push(dir);
    const file = join(dir, 'nested', 'service.db');
    const umask = process.umask(0o022);
    try {
      const database = await openDatabase<any>({ url: `sqlite:${file}`, migrations });
      await database.db.insertInto('note').values({ id: 1 }).execute();
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(`${file}-wal`)).toBe(0o600);
      expect(modeOf(`${file}-shm`)).toBe(0o600);
      expect(await database.db.selectFrom('note').selectAll().execute()).toEqual([{ id: 1 }]);
      await database.close();
    } finally {
      process.umask(umask);
    }
  });

  it('narrows an existing database file that others could read, keeping its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codeyard-db-'));
    dirs.push(dir);
    const file = join(dir, 'service.db');
    const first = await openDatabase<any>({ url: `sqlite:${file}`, migrations });
    await first.db.insertInto('note').values({ id: 7 }).execute();
    await first.close();
    chmodSync(file, 0o644);
    const again = await openDatabase<any>({ url: `sqlite:${file}`, migrations });
    expect(modeOf(file)).toBe(0o600);
    expect(await again.db.selectFrom('note').selectAll().execute()).toEqual([{ id: 7 }]);
    await again.close();
  });
});

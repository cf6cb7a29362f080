import { withStatementCache } from '@codeyard/service-kit';
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
    await db.schema.createTable('post').addColumn('id', 'integer', (col) => col.primaryKey()).addColumn('title', 'text').execute();
    for (let id = 1; id <= 5; id++) await db.insertInto('post').values({ id, title: `post ${id}` }).execute();
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
    await db.schema.createTable('post').addColumn('id', 'integer', (col) => col.primaryKey()).execute();
    await db.insertInto('post').values({ id: 1 }).execute();
    expect(await db.selectFrom('post').selectAll().execute()).toEqual([{ id: 1 }]);
    await db.schema.alterTable('post').addColumn('score', 'integer', (col) => col.notNull().defaultTo(0)).execute();
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

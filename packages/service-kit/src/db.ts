import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  Kysely,
  type Migration,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';

// Postgres BIGINT (count(*), sum()) comes back as a string; our numbers fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** postgres://… or a SQLite file path (optionally prefixed with sqlite:), or :memory: */
  url: string;
  /** Postgres only: the schema that holds this service's tables (created when missing). */
  schema?: string | undefined;
  migrations: Record<string, Migration>;
  /** Postgres pool size. */
  poolSize?: number;
}

export interface Database<DB> {
  db: Kysely<DB>;
  kind: DatabaseKind;
  close(): Promise<void>;
  ping(): Promise<void>;
  /** Postgres only: the pool's connections now (SQLite has one connection and no pool). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
}

export function databaseKind(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

export function defaultDatabaseUrl(dataDir: string, service: string): string {
  return resolve(dataDir, `${service}.db`);
}

/** Opens the database (SQLite in WAL mode, or a Postgres pool) and runs pending migrations. */
/**
 * A SQLite file (and its -wal and -shm, which SQLite creates with the database file's mode) is
 * readable by its owner only: it holds password hashes and refresh-token hashes. A missing file is
 * created 0600 before SQLite opens it (an empty file is a new database); an existing one that others
 * could read is narrowed.
 */
function ownerOnly(file: string) {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const kind = databaseKind(options.url);
  let db: Kysely<DB>;
  let pool: pg.Pool | undefined;
  if (kind === 'postgres') {
    if (options.schema) await ensureSchema(options.url, options.schema);
    pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const file = options.url.replace(/^sqlite:/, '');
    if (file !== ':memory:') {
      mkdirSync(dirname(resolve(file)), { recursive: true });
      ownerOnly(file);
    }
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  }
  try {
    await migrateToLatest(db, options.migrations, kind === 'postgres' ? (options.schema ?? 'public') : undefined);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    kind,
    close: () => db.destroy(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    ...(pool && {
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 }),
    }),
  };
}

/** Distinct SQL texts kept prepared; a service has a few dozen query shapes, `in (…)` lists add more. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query it runs, and preparing (parsing and planning the
 * SQL) costs as much as running a small query. The same SQL text gets the same prepared
 * statement here, most recently used kept; SQLite re-prepares a statement itself when the schema
 * changes under it (a migration). A statement still being iterated is never handed out twice.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database, size = STATEMENT_CACHE_SIZE) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare: (text: string): SqliteDatabase.Statement => {
      const cached = statements.get(text);
      if (cached && !cached.busy) {
        // Map order is insertion order: re-inserting marks it most recently used.
        statements.delete(text);
        statements.set(text, cached);
        return cached;
      }
      const statement = sqlite.prepare(text);
      if (cached) return statement;
      statements.set(text, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Replicas starting together race on "if not exists"; the loser's schema exists all the same.
    if (!isUniqueViolation(error) && errorCode(error) !== '42P06') throw error;
  } finally {
    await client.end();
  }
}

/**
 * `schema` (Postgres) pins Kysely's bookkeeping tables to the service's own schema; without it the
 * migrator would see another service's tables in the same database and skip creating its own.
 */
export async function migrateToLatest(db: Kysely<any>, migrations: Record<string, Migration>, schema?: string) {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema !== undefined && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

/** Runs every migration down (used by the up→down→up migration tests). */
export async function migrateAllDown(db: Kysely<any>, migrations: Record<string, Migration>, schema?: string) {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema !== undefined && { migrationTableSchema: schema }),
  });
  for (;;) {
    const { error, results } = await migrator.migrateDown();
    if (error) throw error;
    if (!results || results.length === 0) return;
  }
}

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key that works on both databases. */
export function withIdColumn<T extends string>(db: Kysely<any>, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return isPostgres(db)
    ? table.addColumn('id', 'serial', (col) => col.primaryKey())
    : table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement());
}

/** Text timestamp (ISO 8601 UTC), identical on both databases, sortable as text. */
export const timestampColumn = (col: ColumnDefinitionBuilder) => col.notNull();

export const nowIso = () => new Date().toISOString();

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** True when the error is a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export { sql };

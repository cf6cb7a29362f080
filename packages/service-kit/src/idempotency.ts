import { createHash } from 'node:crypto';
import type { Kysely, Migration, Transaction } from 'kysely';
import { z } from 'zod';
import { isUniqueViolation } from './db.js';
import { conflict } from './errors.js';

/**
 * `Idempotency-Key` on creates: the same key from the same user within 24 h returns the first
 * response instead of creating twice. The stored response commits in the same transaction as the
 * created row, so either both exist or neither does. The same key with a different request body
 * is a 409 (the key is a unique value already used for something else).
 */

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Row type of `idempotency_keys`, for a service's Kysely schema interface. */
export interface IdempotencyKeysTable {
  user_id: number;
  key: string;
  request_hash: string;
  status_code: number;
  /** JSON text of the first response's body */
  response_body: string;
  created_at: string;
}

/** Add to the service's migrations record. Creates table `idempotency_keys`. */
export const idempotencyMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('user_id', 'integer', (col) => col.notNull())
      .addColumn('key', 'varchar(200)', (col) => col.notNull())
      .addColumn('request_hash', 'varchar(64)', (col) => col.notNull())
      .addColumn('status_code', 'integer', (col) => col.notNull())
      .addColumn('response_body', 'text', (col) => col.notNull())
      .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'key'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('idempotency_keys').execute();
  },
};

/** The request header as routes declare it (`headers: idempotencyHeaders`). */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
  .optional();
export const idempotencyHeaders = z.object({ 'idempotency-key': idempotencyKeySchema });

export const IDEMPOTENCY_OPENAPI_NOTE =
  'With an `Idempotency-Key` header, repeating the request within 24 h returns the first response (header ' +
  '`Idempotent-Replayed: true`) instead of creating again; the same key with a different body is a 409.';

export interface IdempotentResponse<T> {
  statusCode: number;
  body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** A stable fingerprint of the request: key order in objects does not matter. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Looks up a stored response for (user, key) inside the caller's transaction. Undefined when the
 * key is new (or older than 24 h); throws 409 when the key was used for a different request.
 */
export async function findIdempotentResponse<T>(
  trx: Kysely<any>,
  scope: { userId: number; key: string; requestHash: string },
): Promise<IdempotentResponse<T> | undefined> {
  const cutoff = new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString();
  const row = (await trx
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('key', '=', scope.key)
    .where('created_at', '>', cutoff)
    .executeTakeFirst()) as IdempotencyKeysTable | undefined;
  if (!row) return undefined;
  if (row.request_hash !== scope.requestHash) {
    throw conflict('This Idempotency-Key was already used for a different request', {
      'idempotency-key': 'was used with a different request body',
    });
  }
  return { statusCode: row.status_code, body: JSON.parse(row.response_body) as T, replayed: true };
}

/** Stores the response for (user, key) inside the transaction that created the object. */
export async function saveIdempotentResponse(
  trx: Kysely<any>,
  scope: { userId: number; key: string; requestHash: string },
  response: { statusCode: number; body: unknown },
): Promise<void> {
  const now = Date.now();
  // Keys live 24 h: the user's expired ones go here, which keeps the table small without a job.
  await trx
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', scope.userId)
    .where('created_at', '<=', new Date(now - IDEMPOTENCY_WINDOW_MS).toISOString())
    .execute();
  await trx
    .insertInto('idempotency_keys')
    .values({
      user_id: scope.userId,
      key: scope.key,
      request_hash: scope.requestHash,
      status_code: response.statusCode,
      response_body: JSON.stringify(response.body),
      created_at: new Date(now).toISOString(),
    })
    .execute();
}

/**
 * Runs `create` in a transaction, once per (user, key). Without a key it just runs it. With one:
 * a repeat returns the stored response; a repeat racing the first waits for it (Postgres row
 * lock, SQLite's single writer), loses on the unique key, rolls back, and returns the winner's.
 */
export async function withIdempotency<DB, T>(
  db: Kysely<DB>,
  request: { userId: number; key: string | undefined; request: unknown },
  create: (trx: Transaction<DB>) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResponse<T>> {
  const { key } = request;
  if (key === undefined) {
    const response = await db.transaction().execute(create);
    return { ...response, replayed: false };
  }
  const scope = { userId: request.userId, key, requestHash: requestHash(request.request) };
  const attempt = () =>
    db.transaction().execute(async (trx) => {
      const stored = await findIdempotentResponse<T>(trx as unknown as Kysely<any>, scope);
      if (stored) return stored;
      const response = await create(trx);
      await saveIdempotentResponse(trx as unknown as Kysely<any>, scope, response);
      return { ...response, replayed: false };
    });
  try {
    return await attempt();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const stored = await db.transaction().execute((trx) => findIdempotentResponse<T>(trx as unknown as Kysely<any>, scope));
    if (!stored) throw error;
    return stored;
  }
}

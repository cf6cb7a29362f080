import type { Kysely } from 'kysely';
import type { UsersDatabase } from './schema.js';

type Db = Kysely<UsersDatabase>;

export interface Revocation {
  userId: number;
  sessionId: string | null;
  minTokenVersion: number | null;
  createdAt: string;
}

export function createRevocationsRepo(db: Db) {
  return {
    async record(revocation: { userId: number; sessionId?: string; minTokenVersion?: number }, trx: Db = db): Promise<void> {
      await trx
        .insertInto('revocations')
        .values({
          user_id: revocation.userId,
          session_id: revocation.sessionId ?? null,
          min_token_version: revocation.minTokenVersion ?? null,
          created_at: new Date().toISOString(),
        })
        .execute();
    },

    /** Revocations recorded at or after `since` (ISO 8601), oldest first. */
    async listSince(since: string, limit: number): Promise<Revocation[]> {
      const rows = await db
        .selectFrom('revocations')
        .select(['user_id', 'session_id', 'min_token_version', 'created_at'])
        .where('created_at', '>=', since)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        userId: row.user_id,
        sessionId: row.session_id,
        minTokenVersion: row.min_token_version,
        createdAt: row.created_at,
      }));
    },

    /** Forgets revocations older than `before`: every token they concerned has expired. */
    async deleteOlderThan(before: string): Promise<void> {
      await db.deleteFrom('revocations').where('created_at', '<', before).execute();
    },
  };
}

export type RevocationsRepo = ReturnType<typeof createRevocationsRepo>;

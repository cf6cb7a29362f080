import type { Kysely } from 'kysely';
import type { UsersDatabase } from './schema.js';

export interface RefreshTokenRecord {
  id: number;
  sessionId: string;
  userId: number;
  expiresAt: string;
  usedAt: string | null;
  sessionRevokedAt: string | null;
}

type Db = Kysely<UsersDatabase>;

export function createSessionsRepo(db: Db) {
  return {
    async createSession(sessionId: string, userId: number, trx: Db = db): Promise<void> {
      await trx.insertInto('sessions').values({ id: sessionId, user_id: userId, created_at: new Date().toISOString() }).execute();
    },

    async insertRefreshToken(sessionId: string, tokenHash: string, expiresAt: string, trx: Db = db): Promise<void> {
      await trx
        .insertInto('refresh_tokens')
        .values({ session_id: sessionId, token_hash: tokenHash, expires_at: expiresAt, created_at: new Date().toISOString() })
        .execute();
    },

    async findRefreshToken(tokenHash: string, trx: Db = db): Promise<RefreshTokenRecord | undefined> {
      const row = await trx
        .selectFrom('refresh_tokens')
        .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
        .select([
          'refresh_tokens.id',
          'refresh_tokens.session_id',
          'sessions.user_id',
          'refresh_tokens.expires_at',
          'refresh_tokens.used_at',
          'sessions.revoked_at',
        ])
        .where('refresh_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          sessionId: row.session_id,
          userId: row.user_id,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
          sessionRevokedAt: row.revoked_at,
        }
      );
    },

    /** Marks a refresh token spent; false when another request spent it first. */
    async markUsed(id: number, trx: Db = db): Promise<boolean> {
      const result = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async revokeSession(sessionId: string, trx: Db = db): Promise<void> {
      await trx
        .updateTable('sessions')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .execute();
    },

    async revokeAllSessions(userId: number, trx: Db = db): Promise<void> {
      await trx
        .updateTable('sessions')
        .set({ revoked_at: new Date().toISOString() })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },

    async isSessionActive(sessionId: string, userId: number): Promise<boolean> {
      const row = await db
        .selectFrom('sessions')
        .select('revoked_at')
        .where('id', '=', sessionId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row !== undefined && row.revoked_at === null;
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;

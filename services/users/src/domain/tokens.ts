import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_ISSUER, forbidden, TOKEN_AUDIENCE, unauthorized } from '@codeyard/service-kit';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { UsersConfig } from '../config.js';
import type { RevocationsRepo } from '../db/revocations-repo.js';
import type { UsersDatabase } from '../db/schema.js';
import type { SessionsRepo } from '../db/sessions-repo.js';
import type { UserRecord, UsersRepo } from '../db/users-repo.js';
import type { SigningKeys } from './signing-keys.js';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** One entry of the revocation feed other services poll (service-kit's revocation list). */
export interface RevocationEntry {
  user_id: number;
  session_id?: string;
  min_token_version?: number;
  /** When every token it concerns has expired: the entry can be forgotten then. */
  expires_at: string;
}

const REVOCATION_FEED_LIMIT = 10_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The only place that knows token lifetimes and how refresh tokens rotate. */
export function createTokenService(deps: {
  db: Kysely<UsersDatabase>;
  config: UsersConfig;
  keys: SigningKeys;
  users: UsersRepo;
  sessions: SessionsRepo;
  revocations: RevocationsRepo;
}) {
  const { db, config, keys, users, sessions, revocations } = deps;

  /** Ends a login here and, through the revocation feed, in every other service within seconds. */
  async function revokeSession(userId: number, sessionId: string, trx: Kysely<UsersDatabase> = db): Promise<void> {
    await sessions.revokeSession(sessionId, trx);
    await revocations.record({ userId, sessionId }, trx);
  }

  async function signAccessToken(user: UserRecord, sessionId: string): Promise<string> {
    return new SignJWT({ username: user.username, admin: user.admin, tv: user.tokenVersion, sid: sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: keys.kid, typ: 'JWT' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(String(user.id))
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${config.ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(keys.privateKey);
  }

  async function issuePair(user: UserRecord, sessionId: string, trx: Kysely<UsersDatabase>): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + config.REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString();
    await sessions.insertRefreshToken(sessionId, hashToken(refreshToken), expiresAt, trx);
    return {
      access_token: await signAccessToken(user, sessionId),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: config.ACCESS_TOKEN_TTL_SECONDS,
    };
  }

  let lastPrunedAt = 0;

  return {
    /**
     * Revocations since `since` (all those still relevant without it): what other services need to
     * refuse tokens that have not expired yet. Older ones are pruned here, at most once a minute.
     */
    async revocationFeed(since: string | undefined): Promise<{ now: string; revocations: RevocationEntry[] }> {
      const now = Date.now();
      const ttlMs = config.ACCESS_TOKEN_TTL_SECONDS * 1000;
      const oldest = new Date(now - ttlMs).toISOString();
      if (now - lastPrunedAt > 60_000) {
        lastPrunedAt = now;
        await revocations.deleteOlderThan(oldest);
      }
      const rows = await revocations.listSince(since !== undefined && since > oldest ? since : oldest, REVOCATION_FEED_LIMIT);
      return {
        now: new Date(now).toISOString(),
        revocations: rows.map((row) => ({
          user_id: row.userId,
          ...(row.sessionId !== null && { session_id: row.sessionId }),
          ...(row.minTokenVersion !== null && { min_token_version: row.minTokenVersion }),
          expires_at: new Date(Date.parse(row.createdAt) + ttlMs).toISOString(),
        })),
      };
    },

    /** A new login: a new session with its first refresh token. */
    async startSession(user: UserRecord): Promise<TokenPair> {
      return db.transaction().execute(async (trx) => {
        const sessionId = randomUUID();
        await sessions.createSession(sessionId, user.id, trx);
        return issuePair(user, sessionId, trx);
      });
    },

    /**
     * Swaps a refresh token for a new pair. A token spent more than the grace window ago means
     * it leaked (or was replayed): the whole session is revoked, so the thief's copy dies with
     * the owner's. Within the window (two tabs, a reload during a refresh) the caller gets
     * another pair of the same session instead (decision 006).
     */
    async rotate(refreshToken: string): Promise<TokenPair> {
      const result = await db.transaction().execute(async (trx) => {
        const record = await sessions.findRefreshToken(hashToken(refreshToken), trx);
        if (!record) return { error: unauthorized('Invalid refresh token') };
        if (record.sessionRevokedAt) return { error: unauthorized('This login has been revoked; sign in again') };
        // Losing the conditional update to a concurrent refresh means it was spent just now.
        const spentAt = record.usedAt ?? ((await sessions.markUsed(record.id, trx)) ? undefined : new Date().toISOString());
        const graceMs = config.REFRESH_REUSE_GRACE_SECONDS * 1000;
        if (spentAt !== undefined && (graceMs === 0 || Date.now() - Date.parse(spentAt) > graceMs)) {
          await revokeSession(record.userId, record.sessionId, trx);
          return { error: unauthorized('Refresh token was already used; this login has been revoked for safety') };
        }
        if (record.expiresAt <= new Date().toISOString()) return { error: unauthorized('Refresh token has expired') };
        const user = await users.findById(record.userId, trx);
        if (!user) return { error: unauthorized('Invalid refresh token') };
        if (!user.active) return { error: forbidden('This account is deactivated') };
        return { pair: await issuePair(user, record.sessionId, trx) };
      });
      // The revocation above must commit, so the error is thrown after the transaction ends.
      if ('error' in result) throw result.error;
      return result.pair;
    },

    /** Revokes the session a refresh token belongs to; an unknown token changes nothing. */
    async revokeByRefreshToken(refreshToken: string): Promise<void> {
      const record = await sessions.findRefreshToken(hashToken(refreshToken));
      if (record) await revokeSession(record.userId, record.sessionId);
    },

    revokeSession,

    /**
     * Ends every login of a user (password change, deactivation, deletion): tokens with a token
     * version below `minTokenVersion` are refused here at once and elsewhere within seconds.
     */
    async revokeAllTokens(userId: number, minTokenVersion: number): Promise<void> {
      await sessions.revokeAllSessions(userId);
      await revocations.record({ userId, minTokenVersion });
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

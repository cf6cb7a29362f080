import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_ISSUER, forbidden, TOKEN_AUDIENCE, unauthorized } from '@codeyard/service-kit';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { UsersConfig } from '../config.js';
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

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The only place that knows token lifetimes and how refresh tokens rotate. */
export function createTokenService(deps: {
  db: Kysely<UsersDatabase>;
  config: UsersConfig;
  keys: SigningKeys;
  users: UsersRepo;
  sessions: SessionsRepo;
}) {
  const { db, config, keys, users, sessions } = deps;

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

  return {
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
          await sessions.revokeSession(record.sessionId, trx);
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
      if (record) await sessions.revokeSession(record.sessionId);
    },

    revokeSession: (sessionId: string) => sessions.revokeSession(sessionId),
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

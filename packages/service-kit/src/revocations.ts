import type { FastifyBaseLogger } from 'fastify';
import type { UserActor } from './auth.js';
import { unauthorized } from './errors.js';

/** Answer of users' `GET /revocations` (services/users/src/domain/tokens.ts). */
interface RevocationFeed {
  now: string;
  revocations: { user_id: number; session_id?: string; min_token_version?: number; expires_at: string }[];
}

/** Each poll asks again for this much before the last answer: a revocation committed late is not missed. */
const OVERLAP_MS = 10_000;

export interface RevocationList {
  /** Throws 401 when users has revoked this token (its login, or every token of the user below a version). */
  check(actor: UserActor): void;
  /** One poll now (tests; the loop polls on its own). */
  poll(): Promise<void>;
  stop(): void;
}

/**
 * The tokens users has revoked that have not expired yet, polled from users every `intervalMs`
 * and checked on every request with a user token (decision 002): a logout, password change or
 * deactivation stops a token here within about one interval. A request pays two map lookups;
 * users answers one small query per interval per process. While users cannot be reached the
 * last list stays in force (and tokens still expire within their lifetime).
 */
export function startRevocationList(options: { usersUrl: string; intervalMs: number; logger: FastifyBaseLogger }): RevocationList {
  const minVersions = new Map<number, { version: number; expiresAt: number }>();
  const sessions = new Map<string, number>();
  let since: string | undefined;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function apply(feed: RevocationFeed) {
    for (const entry of feed.revocations) {
      const expiresAt = Date.parse(entry.expires_at);
      if (entry.session_id !== undefined) sessions.set(entry.session_id, expiresAt);
      if (entry.min_token_version !== undefined) {
        const known = minVersions.get(entry.user_id);
        if (!known || known.version < entry.min_token_version) minVersions.set(entry.user_id, { version: entry.min_token_version, expiresAt });
      }
    }
    const now = Date.now();
    for (const [session, expiresAt] of sessions) if (expiresAt <= now) sessions.delete(session);
    for (const [userId, known] of minVersions) if (known.expiresAt <= now) minVersions.delete(userId);
    since = new Date(Date.parse(feed.now) - OVERLAP_MS).toISOString();
  }

  async function poll() {
    const url = new URL('/revocations', options.usersUrl);
    if (since !== undefined) url.searchParams.set('since', since);
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(3_000) });
      if (response.status !== 200) throw new Error(`users answered ${response.status}`);
      apply((await response.json()) as RevocationFeed);
      if (failing) options.logger.info('revocation list: users answers again');
      failing = false;
    } catch (error) {
      if (!failing) options.logger.warn({ err: error }, 'revocation list: cannot poll users; the last list stays in force');
      failing = true;
    }
  }

  async function loop() {
    await poll();
    if (!stopped) timer = setTimeout(loop, options.intervalMs).unref();
  }
  void loop();

  return {
    check(actor) {
      const minimum = minVersions.get(actor.id);
      if (minimum && actor.tokenVersion < minimum.version) throw unauthorized('This token has been revoked');
      if (actor.sessionId !== undefined && sessions.has(actor.sessionId)) throw unauthorized('This login has been signed out');
    },
    poll,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

import type { ServiceClient } from '@codeyard/service-kit';

export interface UsernameDirectory {
  /** Usernames by user id; ids the users service cannot answer for are missing from the map. */
  lookup(userIds: number[], requestId: string): Promise<Map<number, string>>;
}

/**
 * Usernames for the leaderboard, from the users service (`GET /users/{id}`), cached for a while.
 * A users outage or a slow answer never fails the leaderboard: those names are just missing
 * (the entry says `username: null`) and are not cached, so they come back once users answers.
 */
export function createUsernameDirectory(options: { users: ServiceClient; cacheMs: number; timeoutMs: number }): UsernameDirectory {
  const cache = new Map<number, { username: string | null; expiresAt: number }>();
  const MAX_ENTRIES = 10_000;

  async function fetchUsername(id: number, requestId: string): Promise<string | null | undefined> {
    try {
      const response = await options.users<{ username?: unknown }>('GET', `/users/${id}`, { requestId, timeoutMs: options.timeoutMs });
      if (response.status === 404) return null; // deleted account: cache the absence
      if (response.status === 200 && typeof response.body.username === 'string') return response.body.username;
      return undefined;
    } catch {
      return undefined; // unreachable (the client turned it into a 503): try again next time
    }
  }

  return {
    async lookup(userIds, requestId) {
      const now = Date.now();
      const names = new Map<number, string>();
      const missing: number[] = [];
      for (const id of new Set(userIds)) {
        const hit = cache.get(id);
        if (hit && hit.expiresAt > now) {
          if (hit.username !== null) names.set(id, hit.username);
        } else {
          missing.push(id);
        }
      }
      const fetched = await Promise.all(missing.map(async (id) => [id, await fetchUsername(id, requestId)] as const));
      if (cache.size > MAX_ENTRIES) cache.clear();
      for (const [id, username] of fetched) {
        if (username === undefined) continue;
        if (options.cacheMs > 0) cache.set(id, { username, expiresAt: now + options.cacheMs });
        if (username !== null) names.set(id, username);
      }
      return names;
    },
  };
}

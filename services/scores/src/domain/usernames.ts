import { MAX_BATCH_IDS } from '@codeyard/contracts';
import type { ServiceClient } from '@codeyard/service-kit';

export interface UsernameDirectory {
  /** Usernames by user id; ids the users service cannot answer for are missing from the map. */
  lookup(userIds: number[], requestId: string): Promise<Map<number, string>>;
}

const MAX_ENTRIES = 10_000;

/**
 * Usernames for the leaderboard, from the users service in one request per 100 ids
 * (`GET /users?ids=…`), kept in a small LRU cache for a while. A users outage or a slow answer
 * never fails the leaderboard: those names are just missing (the entry says `username: null`)
 * and are not cached, so they come back once users answers.
 */
export function createUsernameDirectory(options: { users: ServiceClient; cacheMs: number; timeoutMs: number }): UsernameDirectory {
  // A Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  const cache = new Map<number, { username: string | null; expiresAt: number }>();

  function remember(id: number, username: string | null, now: number) {
    if (options.cacheMs <= 0) return;
    cache.delete(id);
    cache.set(id, { username, expiresAt: now + options.cacheMs });
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as number);
  }

  /** Usernames of these ids (null: no such account); undefined when users cannot answer now. */
  async function fetchUsernames(ids: number[], requestId: string): Promise<Map<number, string | null> | undefined> {
    try {
      const response = await options.users<unknown>('GET', `/users?ids=${ids.join(',')}`, { requestId, timeoutMs: options.timeoutMs });
      if (response.status !== 200 || !Array.isArray(response.body)) return undefined;
      const found = new Map<number, string | null>(ids.map((id) => [id, null]));
      for (const user of response.body as { id?: unknown; username?: unknown }[]) {
        if (typeof user.id === 'number' && found.has(user.id) && typeof user.username === 'string') found.set(user.id, user.username);
      }
      return found;
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
          remember(id, hit.username, hit.expiresAt - options.cacheMs);
          if (hit.username !== null) names.set(id, hit.username);
        } else {
          missing.push(id);
        }
      }
      const batches: number[][] = [];
      for (let start = 0; start < missing.length; start += MAX_BATCH_IDS) batches.push(missing.slice(start, start + MAX_BATCH_IDS));
      for (const fetched of await Promise.all(batches.map((batch) => fetchUsernames(batch, requestId)))) {
        for (const [id, username] of fetched ?? []) {
          remember(id, username, now);
          if (username !== null) names.set(id, username);
        }
      }
      return names;
    },
  };
}

import { AppError } from '@codeyard/service-kit';
import type { LoginFailuresRepo } from '../db/login-failures-repo.js';

/**
 * Per-account brake on password guessing, on top of the gateway's per-IP limit: after `limit`
 * failed sign-ins within the window, that account (or unknown name, so a 429 reveals nothing
 * about which names exist) is refused until the window ends — from every IP.
 */
export function createLoginThrottle(deps: { failures: LoginFailuresRepo; limit: number; windowSeconds: number }) {
  const { failures, limit, windowSeconds } = deps;
  return {
    async assertAllowed(subject: string): Promise<void> {
      const record = await failures.find(subject);
      if (!record || record.failures < limit) return;
      const retryAfter = Math.ceil((Date.parse(record.windowStartedAt) + windowSeconds * 1000 - Date.now()) / 1000);
      if (retryAfter <= 0) return;
      throw new AppError(429, `Too many failed sign-ins for this account; try again in ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
      });
    },

    async recordFailure(subject: string): Promise<void> {
      const now = Date.now();
      await failures.record(subject, new Date(now).toISOString(), new Date(now - windowSeconds * 1000).toISOString());
    },

    clear: (subject: string) => failures.clear(subject),
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

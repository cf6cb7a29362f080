import { extendConfig, portSchema, processedEventsConfigShape } from '@codeyard/service-kit';
import { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8084),
  /** How long a username looked up in the users service is reused for the leaderboard. */
  USERNAME_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Per-lookup timeout; past it the leaderboard shows `username: null` rather than waiting. */
  USERS_LOOKUP_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1_000),
  /** Keys of applied score events (exercises' outbox) are kept this long. */
  ...processedEventsConfigShape,
});

export type ScoresConfig = z.infer<typeof configSchema>;

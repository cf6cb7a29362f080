import { extendConfig, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

const flag = (defaultValue: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(defaultValue)
    .transform((value) => value === 'true');

export const configSchema = extendConfig({
  PORT: portSchema(8086),
  /** Where a post's author and community come from. */
  POSTS_URL: z.url().default('http://127.0.0.1:8085'),
  /** How long a vote waits for posts to say who wrote a post before recording it without (resolved later). */
  POSTS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
  /** How often votes on posts whose author is still unknown are looked up again. */
  POST_RESOLVE_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
  /** Deliver karma events to users from this process (turn off only to run the relay elsewhere). */
  OUTBOX_RELAY: flag('true'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  OUTBOX_MAX_BACKOFF_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
});

export type VotesConfig = z.infer<typeof configSchema>;

import { extendConfig, outboxConfigShape, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8086),
  /** Where a post's author and community come from. */
  POSTS_URL: z.url().default('http://127.0.0.1:8085'),
  /** How long a vote waits for posts to say who wrote a post before recording it without (resolved later). */
  POSTS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
  /** How often votes on posts whose author is still unknown are looked up again. */
  POST_RESOLVE_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
  /** The relay delivers karma events to users. */
  ...outboxConfigShape,
});

export type VotesConfig = z.infer<typeof configSchema>;

import { extendConfig, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

const serviceUrl = (port: number) => z.url().default(`http://127.0.0.1:${port}`);

export const configSchema = extendConfig({
  PORT: portSchema(8082),
  EVAL_URL: serviceUrl(8083),
  SCORES_URL: serviceUrl(8084),
  /** How long to wait for the sandbox to grade one submission (it may queue behind others). */
  EVAL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(30_000),
  /** Deliver score updates from this process (turn off only if another replica does it). */
  OUTBOX_RELAY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** How often the relay looks for undelivered score updates (it is also woken after each submission). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** Longest wait between two delivery attempts of one update while scores is down (backoff doubles up to it). */
  OUTBOX_MAX_BACKOFF_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
});

export type ExercisesConfig = z.infer<typeof configSchema>;

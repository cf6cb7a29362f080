import { extendConfig, outboxConfigShape, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

const serviceUrl = (port: number) => z.url().default(`http://127.0.0.1:${port}`);

export const configSchema = extendConfig({
  PORT: portSchema(8082),
  EVAL_URL: serviceUrl(8083),
  SCORES_URL: serviceUrl(8084),
  /** How long to wait for the sandbox to grade one submission (it may queue behind others). */
  EVAL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(30_000),
  /** The relay delivers score updates to scores. */
  ...outboxConfigShape,
});

export type ExercisesConfig = z.infer<typeof configSchema>;

import { extendConfig, outboxConfigShape, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8085),
  /** Where deletions are announced (votes drops a deleted post's tally from top lists). */
  VOTES_URL: z.url().default('http://127.0.0.1:8086'),
  /** The relay delivers deletion events to votes. */
  ...outboxConfigShape,
});

export type PostsConfig = z.infer<typeof configSchema>;

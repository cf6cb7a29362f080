import { extendConfig, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8087),
  /** How long sending waits for users to confirm the recipient before answering 503. */
  USERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3_000),
});

export type MessagesConfig = z.infer<typeof configSchema>;

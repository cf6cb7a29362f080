import { extendConfig, portSchema } from '@codeyard/service-kit';
import type { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8085),
});

export type PostsConfig = z.infer<typeof configSchema>;

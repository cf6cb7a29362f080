import closeWithGrace from 'close-with-grace';
import type { z } from 'zod';
import { type CommonConfig, ConfigError, loadConfig } from './config.js';
import type { ServiceApp } from './service.js';

type ListenConfig = CommonConfig & { PORT: number };

/**
 * Every service's `server.ts` is one call to this: read and validate the config (a bad value
 * exits naming the variable), build the app, listen, and close gracefully on SIGTERM/SIGINT
 * (in-flight requests finish, the database closes).
 */
export async function runServer<S extends z.ZodObject>(
  configSchema: S,
  buildApp: (config: z.infer<S>) => Promise<{ app: ServiceApp }>,
): Promise<ServiceApp> {
  let config: z.infer<S>;
  try {
    config = loadConfig(configSchema);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  let app: ServiceApp;
  try {
    ({ app } = await buildApp(config));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  const { PORT, HOST } = config as ListenConfig;
  await app.listen({ port: PORT, host: HOST });
  return app;
}

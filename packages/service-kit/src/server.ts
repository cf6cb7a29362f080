import closeWithGrace from 'close-with-grace';
import { ConfigError } from './config.js';
import type { ServiceApp } from './service.js';

/**
 * The whole of a service's `server.ts`: build, listen, and close gracefully on SIGTERM/SIGINT
 * (in-flight requests finish, the database closes). A bad config exits with the variable named.
 */
export async function runServer(start: () => Promise<{ app: ServiceApp; port: number; host: string }>) {
  let app: ServiceApp;
  let port: number;
  let host: string;
  try {
    ({ app, port, host } = await start());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  await app.listen({ port, host });
  return app;
}

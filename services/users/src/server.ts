import { loadConfig, runServer } from '@codeyard/service-kit';
import { buildApp } from './app.js';
import { usersConfigSchema } from './config.js';

await runServer(async () => {
  const config = loadConfig(usersConfigSchema);
  const { app } = await buildApp(config);
  return { app, port: config.PORT, host: config.HOST };
});

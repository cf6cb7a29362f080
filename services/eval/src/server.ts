import { runServer } from '@codeyard/service-kit';
import { buildApp } from './app.js';
import { configSchema } from './config.js';

await runServer(configSchema, buildApp);

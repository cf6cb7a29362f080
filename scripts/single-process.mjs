#!/usr/bin/env node
// Every service in one Node process, each still on its own port with its own database, still
// talking to the others over HTTP: for small machines and quick demos.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { launcherServiceKeys, SERVICES, serviceEnv } from './services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { 'port-base': { type: 'string', default: process.env.PORT_BASE ?? '8080' } } });
const portBase = Number(args['port-base']);
const { loadConfig } = await import(pathToFileURL(resolve(root, 'packages/service-kit/dist/index.js')).href);

// start.mjs already put SERVICE_PUBLIC_KEYS in our environment; each app gets its own private key.
const { privateKeys } = await launcherServiceKeys(process.env, resolve(root, process.env.DATA_DIR ?? 'data'));
const apps = [];
for (const service of SERVICES) {
  const dist = resolve(root, 'services', service.name, 'dist');
  if (!existsSync(resolve(dist, 'app.js'))) continue;
  const { configSchema } = await import(pathToFileURL(resolve(dist, 'config.js')).href);
  const { buildApp } = await import(pathToFileURL(resolve(dist, 'app.js')).href);
  const config = loadConfig(configSchema, serviceEnv(service, { portBase, baseEnv: process.env, serviceKeys: privateKeys }));
  const { app } = await buildApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  apps.push(app);
}

let closing = false;
async function closeAll() {
  if (closing) return;
  closing = true;
  await Promise.allSettled(apps.reverse().map((app) => app.close()));
  process.exit(0);
}
process.on('SIGINT', closeAll);
process.on('SIGTERM', closeAll);

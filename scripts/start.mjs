#!/usr/bin/env node
// Starts Codeyard: every service as its own process (or all in one with --single-process),
// the gateway on http://localhost:8080, SQLite files under ./data. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launcherServiceKeys, SERVICES, serviceEnv } from './services.mjs';
// The services' own code for data/ and its secret files (owner-only, created atomically); `npm start` builds it first.
import { ensurePrivateDirectory, readOrCreateSecretFile } from '../packages/service-kit/dist/secrets.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    'single-process': { type: 'boolean', default: false },
    'port-base': { type: 'string', default: process.env.PORT_BASE ?? '8080' },
    quiet: { type: 'boolean', default: false },
  },
});
const portBase = Number(args['port-base']);
if (!Number.isInteger(portBase) || portBase < 1 || portBase > 65_000) {
  console.error(`--port-base must be a port number, got ${args['port-base']}`);
  process.exit(2);
}

const dataDir = resolve(root, process.env.DATA_DIR ?? 'data');
ensurePrivateDirectory(dataDir);
const baseEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  // The gateway serves the built web client (npm run build builds it into web/dist).
  WEB_DIR: process.env.WEB_DIR ?? resolve(root, 'web', 'dist'),
};

// On a laptop there is a ready-made admin; in production ADMIN_EMAIL/ADMIN_PASSWORD come from env.
let adminNote = '';
if (baseEnv.NODE_ENV !== 'production' && !baseEnv.ADMIN_EMAIL) {
  const passwordFile = resolve(dataDir, 'admin-password');
  baseEnv.ADMIN_EMAIL = 'admin@codeyard.local';
  baseEnv.ADMIN_PASSWORD = readOrCreateSecretFile(passwordFile, () => randomBytes(12).toString('base64url'));
  adminNote = `admin: admin@codeyard.local / password in ${passwordFile}`;
}
// Each service that calls internal endpoints signs with its own key (decision 001): on a laptop
// generated into data/service-key-<name>; in production from <NAME>_SERVICE_PRIVATE_KEY and
// SERVICE_PUBLIC_KEYS. serviceEnv gives a service its own key only (eval gets none).
const serviceKeys = await launcherServiceKeys(baseEnv, dataDir);
if (serviceKeys.publicKeys) baseEnv.SERVICE_PUBLIC_KEYS = serviceKeys.publicKeys;

const available = SERVICES.filter((service) => existsSync(resolve(root, 'services', service.name, 'dist', 'server.js')));
const missing = SERVICES.filter((service) => !available.includes(service));
if (available.length === 0) {
  console.error('Nothing is built yet: run `npm run build` (npm start does it for you).');
  process.exit(1);
}
if (missing.length > 0) console.warn(`not built, not started: ${missing.map((s) => s.name).join(', ')}`);

const children = new Map();
let stopping = false;

/** Passes a child's output through in whole chunks, each line prefixed with its name (one write per chunk). */
function prefixLines(name, stream, target) {
  if (args.quiet) {
    stream.resume();
    return;
  }
  const prefix = `[${name}] `;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const end = chunk.lastIndexOf('\n');
    if (end === -1) {
      partial += chunk;
      return;
    }
    const lines = partial + chunk.slice(0, end);
    partial = chunk.slice(end + 1);
    target.write(`${prefix}${lines.replaceAll('\n', `\n${prefix}`)}\n`);
  });
}

function startProcess(name, command, commandArgs, env) {
  const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`[${name}] exited (${signal ?? code}); stopping the system`);
      stop(1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 15_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (args['single-process']) {
  startProcess('codeyard', process.execPath, [resolve(root, 'scripts/single-process.mjs'), '--port-base', String(portBase)], baseEnv);
} else {
  if (args.dev) {
    startProcess('tsc', process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], baseEnv);
    // The web client with hot reload on :5173, its API calls proxied to this gateway.
    const vite = resolve(root, 'node_modules/vite/bin/vite.js');
    startProcess('web', process.execPath, [vite, '--config', resolve(root, 'web/vite.config.ts'), '--strictPort'], {
      ...baseEnv,
      CODEYARD_GATEWAY: `http://127.0.0.1:${portBase}`,
    });
  }
  for (const service of available) {
    const entry = resolve(root, 'services', service.name, 'dist', 'server.js');
    const nodeArgs = args.dev ? ['--watch', '--watch-preserve-output', entry] : [entry];
    startProcess(service.name, process.execPath, nodeArgs, serviceEnv(service, { portBase, baseEnv, serviceKeys: serviceKeys.privateKeys }));
  }
}

// Tell the user where things are once the gateway answers.
const gateway = `http://localhost:${portBase}`;
const deadline = Date.now() + 60_000;
for (;;) {
  if (stopping) break;
  try {
    const response = await fetch(`${gateway}/health`, { signal: AbortSignal.timeout(2_000) });
    const health = await response.json();
    const down = Object.entries(health.services ?? {}).filter(([, s]) => s.status !== 'ok').map(([n]) => n);
    if (response.ok || Date.now() > deadline) {
      console.log(`\nCodeyard is running${down.length ? ` (not ready: ${down.join(', ')})` : ''}`);
      console.log(`  app     ${gateway}/`);
      if (args.dev) console.log('  web dev http://localhost:5173/ (hot reload)');
      console.log(`  API     ${gateway}/api/v1`);
      console.log(`  docs    ${gateway}/docs`);
      console.log(`  health  ${gateway}/health`);
      if (adminNote) console.log(`  ${adminNote}`);
      console.log('Press Ctrl-C to stop.\n');
      break;
    }
  } catch {
    if (Date.now() > deadline) {
      console.error(`The gateway did not answer on ${gateway} within 60 s`);
      break;
    }
  }
  await new Promise((done) => setTimeout(done, 300));
}

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SERVICE_NAMES = ['users', 'exercises', 'eval', 'scores', 'posts', 'votes', 'messages'];

export interface SystemInfo {
  baseUrl: string;
  adminEmail: string;
  adminPassword: string;
}

/** The services that are built (and so started by `npm start`). */
export function builtServices(): string[] {
  return SERVICE_NAMES.filter((name) => existsSync(join(root, 'services', name, 'dist', 'server.js')));
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * The kernel hands out ephemeral ports (outgoing connections of every process on the machine)
 * from ip_local_port_range; a port picked there can be taken between our check and the
 * service's listen. Pick below that range.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 21_000) return low;
  } catch {
    // not Linux: keep the usual default
  }
  return 32_768;
}

async function freePortBase(): Promise<number> {
  const blocks = Math.floor((ephemeralLow() - 20_000) / 10) - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * blocks) * 10;
    const ports = Array.from({ length: 8 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return base;
  }
  throw new Error('no free block of 8 ports found');
}

export async function adminLogin(info: SystemInfo): Promise<string> {
  const response = await fetch(`${info.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: info.adminEmail, password: info.adminPassword }),
  });
  if (!response.ok) throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Starts the whole built system as `npm start` does — every service its own process plus the
 * gateway — on free ports, with a temporary data dir (SQLite) or, when TEST_DATABASE_URL is set,
 * fresh Postgres schemas. Rate limits are raised unless `env` sets them.
 */
type LaunchOptions = {
  env?: Record<string, string>;
  /** Extra arguments for scripts/start.mjs (the benchmark's `--single-process`). */
  args?: string[];
};
type LaunchedSystem = SystemInfo & { portBase: number; pid: number; healthyAfterMs: number; stop(): Promise<void> };

export async function launchSystem(options: LaunchOptions = {}): Promise<LaunchedSystem> {
  // Another process can still take a port of the block before a service listens on it: start
  // again on another block then (only for that error; anything else fails at once).
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(options, await freePortBase());
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

async function launchOnce(options: LaunchOptions, portBase: number): Promise<LaunchedSystem> {
  const startedAt = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'codeyard-e2e-'));
  const adminEmail = 'admin@codeyard.test';
  const adminPassword = randomBytes(12).toString('base64url');
  const schemaPrefix = `e2e_${randomBytes(4).toString('hex')}_`;
  const postgresUrl = process.env.TEST_DATABASE_URL;
  // The test runner's own database URL is not for the system: each service gets DATABASE_URL (below) or none.
  const { TEST_DATABASE_URL: _testDatabase, ...runnerEnv } = process.env as Record<string, string>;
  const env: Record<string, string> = {
    ...runnerEnv,
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    RATE_LIMIT_DEFAULT: '1000000',
    RATE_LIMIT_LOGIN: '1000000',
    RATE_LIMIT_REGISTER: '1000000',
    RATE_LIMIT_EVAL: '1000000',
    ...(postgresUrl ? { DATABASE_URL: postgresUrl, DATABASE_SCHEMA_PREFIX: schemaPrefix } : {}),
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [join(root, 'scripts/start.mjs'), '--port-base', String(portBase), ...(options.args ?? [])], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const baseUrl = `http://127.0.0.1:${portBase}`;
  const expected = builtServices();
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`the system exited while starting:\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      const health = (await response.json()) as { services: Record<string, { status: string }> };
      if (expected.every((name) => health.services[name]?.status === 'ok')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the system did not become healthy in 180 s:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 20_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (postgresUrl) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        for (const name of [...SERVICE_NAMES, 'gateway']) await client.query(`drop schema if exists "${schemaPrefix}${name}" cascade`);
      } finally {
        await client.end();
      }
    }
  };
  const healthyAfterMs = performance.now() - startedAt;
  return { baseUrl, adminEmail, adminPassword, portBase, pid: child.pid as number, healthyAfterMs, stop };
}


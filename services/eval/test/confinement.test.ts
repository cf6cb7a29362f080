import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsolationMode } from '../src/sandbox/index.js';
import { prepareWorkerLauncher } from '../src/sandbox/worker-launcher.js';

interface HostileReport {
  environ: string;
  sqlite: string;
  signingKey: string;
  envKeys: string[];
  uid: number;
  listen: string;
  connect: string;
  spawn: string;
}

/**
 * Stands in for a guest that escaped its engine into the worker's own JavaScript: it is started
 * exactly like a real worker (same flags, same confinement) and tries what an attacker would.
 */
function hostileWorkerSource(targets: { sqlite: string; signingKey: string; hostPort: number }): string {
  return `
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
const attempt = (action) => { try { const value = action(); return 'read ' + String(value).length + ' chars'; } catch (error) { return 'failed: ' + (error.code ?? error.message); } };
const listen = () => new Promise((resolve) => {
  try {
    const server = createServer();
    server.on('error', (error) => resolve('failed: ' + error.code));
    server.listen(0, '127.0.0.1', () => { server.close(); resolve('listening'); });
  } catch (error) { resolve('failed: ' + (error.code ?? error.message)); }
});
const reach = () => new Promise((resolve) => {
  try {
    const socket = connect(${targets.hostPort}, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('error', (error) => resolve('failed: ' + error.code));
    setTimeout(() => { socket.destroy(); resolve('failed: no answer'); }, 2000);
  } catch (error) { resolve('failed: ' + (error.code ?? error.message)); }
});
const spawnResult = () => { try { const result = spawnSync('/bin/sh', ['-c', 'id']); return result.error ? 'failed: ' + result.error.code : 'ran'; } catch (error) { return 'failed: ' + (error.code ?? error.message); } };
const report = {
  environ: attempt(() => readFileSync('/proc/self/environ', 'utf8')),
  sqlite: attempt(() => readFileSync(${JSON.stringify(targets.sqlite)})),
  signingKey: attempt(() => readFileSync(${JSON.stringify(targets.signingKey)}, 'utf8')),
  envKeys: Object.keys(process.env),
  uid: process.getuid(),
  listen: await listen(),
  connect: await reach(),
  spawn: spawnResult(),
};
process.send({ type: 'hostile-report', report }, () => process.exit(0));
`;
}

const MODES: IsolationMode[] = ['bwrap', 'unshare', 'none'];

describe('sandbox confinement against a program that escaped its engine', () => {
  let directory: string;
  let hostServer: Server;
  const targets = { sqlite: '', signingKey: '', hostPort: 0 };
  const entry = () => join(directory, 'hostile-worker.mjs');

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'codeyard-confinement-'));
    // Stand-ins for data/: world-readable on purpose, so only the confinement keeps them out of reach.
    await chmod(directory, 0o755);
    targets.sqlite = join(directory, 'users.sqlite');
    targets.signingKey = join(directory, 'signing-key.pem');
    await writeFile(targets.sqlite, 'SQLite format 3\0 secret rows', { mode: 0o644 });
    await writeFile(targets.signingKey, '-----BEGIN PRIVATE KEY----- secret', { mode: 0o644 });
    hostServer = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
    const address = hostServer.address();
    targets.hostPort = typeof address === 'object' && address ? address.port : 0;
    await writeFile(entry(), hostileWorkerSource(targets));
    process.env.CODEYARD_CANARY_SECRET = 'must-not-reach-the-worker';
  });
  afterAll(async () => {
    delete process.env.CODEYARD_CANARY_SECRET;
    await new Promise((resolve) => hostServer.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  async function reportUnder(mode: IsolationMode): Promise<HostileReport | undefined> {
    const launcher = await prepareWorkerLauncher({ defaultMemoryMb: 64, isolation: mode, workerEntry: entry() }).catch(() => undefined);
    if (!launcher) return undefined;
    try {
      expect(launcher.isolation).toBe(mode);
      const child = launcher.spawnWorker('quickjs');
      let stderr = '';
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      return await new Promise<HostileReport>((resolve, reject) => {
        child.on('message', (message: { type: string; report: HostileReport }) => resolve(message.report));
        child.on('exit', (code) => reject(new Error(`the worker exited (${code}) without a report: ${stderr}`)));
      });
    } finally {
      await launcher.dispose();
    }
  }

  it('bubblewrap is the mode in use where it is installed (as in CI)', async () => {
    if (!existsSync('/usr/bin/bwrap') || process.platform !== 'linux') return;
    expect(await reportUnder('bwrap')).toBeDefined();
  });

  it.each(MODES)(
    'under %s: no environment, no SQLite file, no signing key, no child process',
    async (mode) => {
      const report = await reportUnder(mode);
      if (!report) return; // This host cannot run the mode; the test above insists on bubblewrap where it exists.
      expect(report.environ).toMatch(/^failed/);
      expect(report.sqlite).toMatch(/^failed/);
      expect(report.signingKey).toMatch(/^failed/);
      expect(report.spawn).toMatch(/^failed/);
      // Node's IPC channel number, and bubblewrap's PWD (the bundle folder), are all there is.
      expect(report.envKeys.filter((key) => !key.startsWith('NODE_CHANNEL_') && key !== 'PWD')).toEqual([]);
      if (process.getuid?.() === 0) expect(report.uid).toBe(65534);
      if (mode !== 'none') expect(report.connect).toMatch(/^failed/);
    },
    60_000,
  );

  it('under bubblewrap: uid nobody, and the seccomp filter refuses internet sockets', async () => {
    const report = await reportUnder('bwrap');
    if (!report) return;
    expect(report.uid).toBe(65534);
    expect(report.listen).toBe('failed: EAFNOSUPPORT');
    expect(report.connect).toMatch(/^failed: (EAFNOSUPPORT|ECONNREFUSED|ENETUNREACH)/);
  }, 60_000);
});

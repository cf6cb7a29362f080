import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSandboxPool,
  InvalidEvalRequestError,
  QueueFullError,
  type SandboxPool,
  SandboxUnavailableError,
} from '../src/sandbox/index.js';
import { evalRequest, expectHealthyAfterwards } from './sandbox-fixtures/sandbox-requests.js';

let pool: SandboxPool;

beforeAll(async () => {
  pool = createSandboxPool({ workers: 2, queueLimit: 3, runsPerWorker: 4 });
  await pool.warmUp();
}, 120_000);

afterAll(async () => {
  await pool?.close();
});

const normalJs = evalRequest('javascript', 'function solve(a, b) { return a + b }', { tests: [{ args: [2, 2], expected: 4 }] });
const normalPy = evalRequest('python', 'def solve(a, b):\n    return a + b\n', { tests: [{ args: [2, 2], expected: 4 }] });

function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** The node process of a worker: the pid itself, or a descendant when bubblewrap wraps it. */
function workerNodePid(pid: number): number {
  const pending = [pid];
  while (pending.length > 0) {
    const candidate = pending.shift() as number;
    const commandLine = readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0');
    if (
      commandLine.some((part) => part.endsWith('worker.mjs')) &&
      !commandLine[0]?.endsWith('bwrap') &&
      !commandLine[0]?.endsWith('unshare')
    ) {
      return candidate;
    }
    pending.push(...childPids(candidate));
  }
  throw new Error(`no node process under ${pid}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('sandbox pool', () => {
  it('lists the languages with the engine versions behind them', () => {
    const languages = pool.languages();
    expect(languages.map((entry) => entry.language)).toEqual(['javascript', 'typescript', 'python']);
    expect(languages[0]?.version).toMatch(/^QuickJS \d{4}-\d{2}-\d{2}/);
    expect(languages[1]?.version).toContain('esbuild');
    expect(languages[2]?.version).toMatch(/^3\.\d+\.\d+ \(Pyodide \d+\.\d+\.\d+\)$/);
  });

  it('reports how workers are confined', () => {
    const stats = pool.stats();
    expect(['bwrap', 'unshare', 'none']).toContain(stats.isolation);
    expect(stats.isolationNote.length).toBeGreaterThan(10);
    expect(stats.permissionModel).toBe(true);
    expect(stats.dropsPrivileges).toBe(process.getuid?.() === 0);
    expect(stats.workers.quickjs.total).toBe(2);
    expect(stats.workers.pyodide.total).toBe(2);
  });

  it('starts workers under the permission model with an empty environment, and confined when the host allows', () => {
    for (const wrapperPid of [...pool.stats().workers.quickjs.pids, ...pool.stats().workers.pyodide.pids]) {
      const nodePid = workerNodePid(wrapperPid);
      const commandLine = readFileSync(`/proc/${nodePid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.some((part) => part === '--experimental-permission' || part === '--permission')).toBe(true);
      expect(commandLine.filter((part) => part.startsWith('--allow-fs-read=')).length).toBeGreaterThan(0);
      expect(commandLine.some((part) => /--allow-(child-process|worker|fs-write|addons)/.test(part))).toBe(false);
      expect(commandLine).toContain('--disallow-code-generation-from-strings');
      expect(readFileSync(`/proc/${nodePid}/environ`, 'utf8')).not.toContain('PATH=');
      if (process.getuid?.() === 0) {
        expect(readFileSync(`/proc/${nodePid}/status`, 'utf8')).toMatch(/^Uid:\s+65534\s/m);
      }
      if (pool.stats().isolation !== 'none') {
        expect(readlinkSync(`/proc/${nodePid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
      }
    }
  });

  it('rejects immediately with QueueFullError when queueLimit runs are waiting', async () => {
    const slow = evalRequest('javascript', 'function solve() { const end = Date.now() + 300; while (Date.now() < end) {} return 1 }', {
      tests: [{ args: [], expected: 1 }],
    });
    const accepted = [pool.run(slow), pool.run(slow), pool.run(slow)];
    const rejection = await pool.run(slow).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(QueueFullError);
    expect((rejection as QueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    for (const result of await Promise.all(accepted)) expect(result.status).toBe('passed');
    expect(pool.stats().rejectedRuns).toBeGreaterThanOrEqual(1);
  });

  it('does not let a JavaScript timeout delay a concurrent normal submission', async () => {
    const hostileStarted = performance.now();
    const hostile = pool
      .run(evalRequest('javascript', 'function solve() { while (true) {} }', { limits: { time_ms: 1_500 } }))
      .then((result) => ({ result, finishedAfter: performance.now() - hostileStarted }));
    await waitFor(() => pool.stats().workers.quickjs.busy >= 1);
    const normalStarted = performance.now();
    const normal = await pool.run(normalJs);
    const normalElapsed = performance.now() - normalStarted;
    expect(normal.status).toBe('passed');
    const { result, finishedAfter } = await hostile;
    expect(result.status).toBe('timeout');
    expect(normalElapsed).toBeLessThan(finishedAfter - 500);
  });

  it('does not let a Python timeout delay a concurrent normal submission', async () => {
    const hostileStarted = performance.now();
    const hostile = pool
      .run(evalRequest('python', 'def solve():\n    while True:\n        pass\n', { limits: { time_ms: 1_500 } }))
      .then((result) => ({ result, finishedAfter: performance.now() - hostileStarted }));
    await waitFor(() => pool.stats().workers.pyodide.busy >= 1);
    await waitFor(() => pool.stats().workers.pyodide.ready >= 1);
    const normalStarted = performance.now();
    const normal = await pool.run(normalPy);
    const normalElapsed = performance.now() - normalStarted;
    expect(normal.status).toBe('passed');
    const { result, finishedAfter } = await hostile;
    expect(result.status).toBe('timeout');
    expect(normalElapsed).toBeLessThan(finishedAfter - 500);
  });

  it('reports a worker killed mid-run as an error and replaces it', async () => {
    const startedBefore = pool.stats().workersStarted;
    const running = pool.run(evalRequest('javascript', 'function solve() { while (true) {} }', { limits: { time_ms: 5_000 } }));
    await waitFor(() => pool.stats().workers.quickjs.busy >= 1);
    const busyPid = pool.stats().workers.quickjs.pids[0] as number;
    for (const pid of pool.stats().workers.quickjs.pids) process.kill(workerNodePid(pid), 'SIGKILL');
    const result = await running;
    expect(result.status).toBe('error');
    expect(result.message).toContain('crashed');
    await waitFor(() => pool.stats().workers.quickjs.ready === 2);
    expect(pool.stats().workersStarted).toBeGreaterThanOrEqual(startedBefore + 2);
    expect(pool.stats().workers.quickjs.pids).not.toContain(busyPid);
    await expectHealthyAfterwards(pool, 'javascript');
  });

  it('replaces a Python worker that dies while idle', async () => {
    const [victim] = pool.stats().workers.pyodide.pids;
    process.kill(workerNodePid(victim as number), 'SIGKILL');
    await waitFor(() => !pool.stats().workers.pyodide.pids.includes(victim as number));
    await expectHealthyAfterwards(pool, 'python');
    await waitFor(() => pool.stats().workers.pyodide.ready === 2, 60_000);
  }, 90_000);

  it('recycles workers after runsPerWorker runs and keeps serving', async () => {
    const recycledBefore = pool.stats().workersRecycled;
    for (let i = 0; i < 10; i += 1) expect((await pool.run(normalJs)).status).toBe('passed');
    expect(pool.stats().workersRecycled).toBeGreaterThan(recycledBefore);
  });

  it('rejects requests that break the limits or the request shape', async () => {
    await expect(pool.run({ ...normalJs, limits: { time_ms: 6_000 } })).rejects.toBeInstanceOf(InvalidEvalRequestError);
    await expect(pool.run({ ...normalJs, limits: { memory_mb: 512 } })).rejects.toBeInstanceOf(InvalidEvalRequestError);
    await expect(pool.run({ ...normalJs, tests: [] })).rejects.toBeInstanceOf(InvalidEvalRequestError);
    await expect(pool.run({ ...normalJs, entrypoint: 'not an identifier' })).rejects.toBeInstanceOf(InvalidEvalRequestError);
  });

  it('lets another user run while one user has more runs than their share of the workers', async () => {
    const slow = evalRequest('javascript', 'function solve() { const end = Date.now() + 1500; while (Date.now() < end) {} return 1 }', {
      tests: [{ args: [], expected: 1 }],
      limits: { time_ms: 5_000, memory_mb: 32 },
    });
    const finished: string[] = [];
    const hog = [1, 2, 3].map((n) => pool.run(slow, { owner: 'user 1' }).then(() => finished.push(`hog ${n}`)));
    // One of the hog's runs holds a worker; the other two wait their turn although a worker is free.
    await waitFor(() => pool.stats().running === 1 && pool.stats().queued === 2);
    const other = await pool.run(normalJs, { owner: 'user 2' });
    finished.push('other');
    expect(other.status).toBe('passed');
    await Promise.all(hog);
    // Without per-user limits two of the hog's runs would take both workers and finish first.
    expect(finished.indexOf('other')).toBeLessThan(2);
    expect(finished).toHaveLength(4);
  }, 30_000);
});

describe('closing a sandbox pool', () => {
  it('stops its workers and refuses new runs', async () => {
    const closing = createSandboxPool({ workers: 1 });
    await closing.warmUp();
    const pids = [...closing.stats().workers.quickjs.pids, ...closing.stats().workers.pyodide.pids];
    expect(pids.length).toBe(2);
    await closing.close();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    await expect(closing.run(normalJs)).rejects.toBeInstanceOf(SandboxUnavailableError);
  }, 90_000);
});

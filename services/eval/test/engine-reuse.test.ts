import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstalledPackage } from '../src/sandbox/engine-packages.js';
import { createSandboxPool, type EvalResult, type SandboxPool } from '../src/sandbox/index.js';
import type { GuestOutcome, RunJob } from '../src/sandbox/protocol.js';
import { QuickJsEngine } from '../src/sandbox/worker/quickjs-engine.js';
import { StdoutCapture } from '../src/sandbox/worker/stdout-capture.js';
import { evalRequest } from './sandbox-fixtures/sandbox-requests.js';

// Workers keep one engine instance and wipe it between runs instead of building a new one per
// run. These tests run hostile programs that try to leave something behind for the next run.

const quickjsWasmPath = join(
  findInstalledPackage('@jitl/quickjs-wasmfile-release-sync', findInstalledPackage('quickjs-emscripten').directory).directory,
  'dist',
  'emscripten-module.wasm',
);

let nextJobId = 1;
function jsJob(source: string, argsWire: string[] = ['[]'], memoryMb = 64): RunJob {
  return {
    jobId: nextJobId++,
    language: 'javascript',
    source: `${source}\nmodule.exports = { solve };`,
    entrypoint: 'solve',
    argsWire,
    timeMs: 2_000,
    memoryMb,
    maxStdoutBytes: 64 * 1024,
    maxReturnBytes: 1024 * 1024,
  };
}

async function runOnEngine(engine: QuickJsEngine, job: RunJob): Promise<GuestOutcome[]> {
  const outcomes: GuestOutcome[] = [];
  await engine.run(job, new StdoutCapture(64 * 1024), { testFinished: (_index, outcome) => outcomes.push(outcome) });
  await engine.prepareNextRun();
  return outcomes;
}

interface EngineInternals {
  idle: Map<number, { memory: { buffer: ArrayBuffer }; pristine: Uint8Array }>;
}

describe('QuickJS engine reused between runs', () => {
  it('wipes the instance back to its pristine memory, so nothing a run wrote can be read again', async () => {
    const engine = await QuickJsEngine.create(quickjsWasmPath, 240 * 1024, 64);
    const before = (engine as unknown as EngineInternals).idle.get(64);
    const marker = 'codeyard-marker-left-behind';
    const outcomes = await runOnEngine(engine, jsJob(`globalThis.kept = '${marker}'.repeat(1000); function solve() { return kept.length }`));
    expect(outcomes).toEqual([{ kind: 'returned', valueWire: String(marker.length * 1000) }]);
    const after = (engine as unknown as EngineInternals).idle.get(64);
    expect(after).toBe(before);
    const memory = Buffer.from(after?.memory.buffer as ArrayBuffer);
    expect(memory.includes(marker)).toBe(false);
    expect(memory.equals(Buffer.from(after?.pristine as Uint8Array))).toBe(true);
  });
});

describe('one worker alternating two users', () => {
  let pool: SandboxPool;

  beforeAll(async () => {
    pool = createSandboxPool({ workers: 1, queueLimit: 8, runsPerWorker: 1_000 });
    await pool.warmUp();
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
  });

  const expectPassed = (result: EvalResult) => expect(result.status, JSON.stringify(result).slice(0, 500)).toBe('passed');

  it('JavaScript: globals, prototypes, built-ins and pending jobs of one user never reach the other', async () => {
    const pid = pool.stats().workers.quickjs.pids[0];
    const polluter = [
      'function solve(round) {',
      "  globalThis.secret = 'user-a-' + round;",
      '  Object.prototype.polluted = true;',
      '  Array.prototype.map = function () { return ["hacked"] };',
      "  JSON.stringify = () => 'hacked';",
      "  Promise.resolve().then(() => { globalThis.late = 'from a pending job' });",
      '  return round;',
      '}',
    ].join('\n');
    const observer = [
      'function solve(round) {',
      '  return [typeof globalThis.secret, ({}).polluted === undefined, [1].map((n) => n + 1), JSON.stringify([round]), typeof globalThis.late];',
      '}',
    ].join('\n');
    for (let round = 0; round < 4; round += 1) {
      expectPassed(await pool.run(evalRequest('javascript', polluter, { tests: [{ args: [round], expected: round }], limits: { time_ms: 2_000 } }), { owner: 'user a' }));
      expectPassed(
        await pool.run(
          evalRequest('javascript', observer, {
            tests: [{ args: [round], expected: ['undefined', true, [2], `[${round}]`, 'undefined'] }],
            limits: { time_ms: 2_000 },
          }),
          { owner: 'user b' },
        ),
      );
    }
    expect(pool.stats().workers.quickjs.pids).toEqual([pid]);
  });

  it('JavaScript: a run that grew the heap or crashed the engine leaves the next one a clean instance', async () => {
    const hostile = [
      'function solve(kind) {',
      "  globalThis.secret = 'left behind';",
      "  if (kind === 'grow') { globalThis.big = new ArrayBuffer(24 * 1024 * 1024); return big.byteLength }",
      "  return JSON.parse('['.repeat(100000) + ']'.repeat(100000));",
      '}',
    ].join('\n');
    const observer = 'function solve() { return [typeof globalThis.secret, typeof globalThis.big] }';
    for (const kind of ['grow', 'crash']) {
      const result = await pool.run(evalRequest('javascript', hostile, { tests: [{ args: [kind], expected: 0 }], limits: { time_ms: 2_000 } }), { owner: 'user a' });
      expect(result.status).not.toBe('passed');
      expectPassed(
        await pool.run(evalRequest('javascript', observer, { tests: [{ args: [], expected: ['undefined', 'undefined'] }], limits: { time_ms: 2_000 } }), {
          owner: 'user b',
        }),
      );
    }
  });
});

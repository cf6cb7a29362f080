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
    const outcomes = await runOnEngine(
      engine,
      jsJob(`globalThis.kept = '${marker}'.repeat(1000); function solve() { return kept.length }`),
    );
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
      expectPassed(
        await pool.run(evalRequest('javascript', polluter, { tests: [{ args: [round], expected: round }], limits: { time_ms: 2_000 } }), {
          owner: 'user a',
        }),
      );
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
      const result = await pool.run(
        evalRequest('javascript', hostile, { tests: [{ args: [kind], expected: 0 }], limits: { time_ms: 2_000 } }),
        { owner: 'user a' },
      );
      expect(result.status).not.toBe('passed');
      expectPassed(
        await pool.run(
          evalRequest('javascript', observer, { tests: [{ args: [], expected: ['undefined', 'undefined'] }], limits: { time_ms: 2_000 } }),
          {
            owner: 'user b',
          },
        ),
      );
    }
  });

  const py = (code: string, args: unknown[], expected: unknown, owner: string) =>
    pool.run(evalRequest('python', code, { tests: [{ args, expected }], limits: { time_ms: 2_000 } }), { owner });

  it('Python: globals, modules, monkeypatches, the environment and open descriptors of one user never reach the other', async () => {
    const pid = pool.stats().workers.pyodide.pids[0];
    const polluter = [
      'import builtins, json, math, os, sys, colorsys',
      'def solve(round):',
      "    builtins.leaked = 'user-a'",
      "    json.dumps = lambda *a, **k: 'hacked'",
      '    math.pi = 3',
      "    sys.path.insert(0, '/nowhere')",
      '    sys.setrecursionlimit(50)',
      "    os.environ['LEAKED'] = 'user-a'",
      "    globals()['kept'] = round",
      "    return os.open('/', os.O_RDONLY)",
      '',
    ].join('\n');
    const observer = [
      'import builtins, json, math, os, sys',
      'def solve(fd):',
      '    try:',
      '        os.fstat(fd)',
      '        fd_open = True',
      '    except OSError:',
      '        fd_open = False',
      "    return [hasattr(builtins, 'leaked'), json.dumps([1]), math.pi > 3.14, '/nowhere' in sys.path,",
      "            sys.getrecursionlimit() >= 1000, 'LEAKED' in os.environ, 'colorsys' in sys.modules, 'kept' in globals(), fd_open]",
      '',
    ].join('\n');
    for (let round = 0; round < 4; round += 1) {
      const polluted = await py(polluter, [round], 0, 'user a');
      const fd = polluted.results[0]?.actual;
      expect(typeof fd, JSON.stringify(polluted).slice(0, 500)).toBe('number');
      expectPassed(await py(observer, [fd], [false, '[1]', true, false, true, false, false, false, false], 'user b'));
    }
    expect(pool.stats().workers.pyodide.pids).toEqual([pid]);
  });

  it('Python: files, a grown heap and a time-out of one user never reach the other', async () => {
    const hostile = [
      'import os',
      'def solve(kind):',
      "    globals()['kept'] = kind",
      "    if kind == 'file':",
      "        with open('/tmp/secret.txt', 'w') as f:",
      "            f.write('user-a')",
      "        os.makedirs('/home/pyodide/left', exist_ok=True)",
      "    elif kind == 'heap':",
      "        globals()['big'] = bytearray(48 * 1024 * 1024)",
      "    elif kind == 'loop':",
      '        while True:',
      '            pass',
      '    return 0',
      '',
    ].join('\n');
    const observer = [
      'import os',
      'def solve():',
      "    return [os.path.exists('/tmp/secret.txt'), os.path.exists('/home/pyodide/left'), 'kept' in globals(), 'big' in globals()]",
      '',
    ].join('\n');
    for (const kind of ['file', 'heap', 'loop']) {
      const result = await py(hostile, [kind], 0, 'user a');
      expect(result.status).toBe(kind === 'loop' ? 'timeout' : 'passed');
      expectPassed(await py(observer, [], [false, false, false, false], 'user b'));
    }
  });
});

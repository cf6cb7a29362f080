import { describe, expect, it } from 'vitest';
import { findInstalledPackage } from '../src/sandbox/engine-packages.js';
import type { GuestOutcome } from '../src/sandbox/protocol.js';
import { PyodideEngine } from '../src/sandbox/worker/pyodide-engine.js';
import { StdoutCapture } from '../src/sandbox/worker/stdout-capture.js';

// The engine directly (the pool runs it in a worker process): which runs reset the interpreter in
// place and which need a newly restored one. What survives either is tested in engine-reuse.test.ts.

let nextJobId = 1;
async function runPython(engine: PyodideEngine, source: string, argsWire = ['[]']): Promise<GuestOutcome[]> {
  const outcomes: GuestOutcome[] = [];
  const job = {
    jobId: nextJobId++,
    language: 'python' as const,
    source,
    entrypoint: 'solve',
    argsWire,
    timeMs: 2_000,
    memoryMb: 64,
    maxStdoutBytes: 65_536,
    maxReturnBytes: 1 << 20,
  };
  await engine.run(job, new StdoutCapture(65_536), { testFinished: (_index, outcome) => outcomes.push(outcome) });
  await engine.prepareNextRun();
  return outcomes;
}

describe('Python interpreter reset in place', () => {
  it('resets after ordinary runs and time-outs, restores a new interpreter after file writes and a grown heap', async () => {
    const engine = await PyodideEngine.create(`${findInstalledPackage('pyodide').directory}/`);
    const counts = () => ({ ...engine.counts });
    const start = counts();
    expect(await runPython(engine, 'import builtins\ndef solve(a, b):\n    builtins.x = 1\n    return a + b\n', ['[1,2]'])).toEqual([
      { kind: 'returned', valueWire: '3' },
    ]);
    expect(counts()).toEqual({ resets: start.resets + 1, restores: start.restores });
    expect(await runPython(engine, 'def solve():\n    while True:\n        pass\n')).toEqual([{ kind: 'timeout' }]);
    expect(counts()).toEqual({ resets: start.resets + 2, restores: start.restores });
    await runPython(engine, "def solve():\n    open('/tmp/f', 'w').write('x')\n    return 1\n");
    expect(counts()).toEqual({ resets: start.resets + 2, restores: start.restores + 1 });
    await runPython(engine, 'def solve():\n    return len(bytearray(48 * 1024 * 1024))\n');
    expect(counts()).toEqual({ resets: start.resets + 2, restores: start.restores + 2 });
    const mapped = [
      'import mmap, os, sys',
      'def solve():',
      "    fd = os.open([p for p in sys.path if p.endswith('.zip')][0], os.O_RDONLY)",
      '    return len(mmap.mmap(fd, 16, prot=mmap.PROT_READ))',
      '',
    ].join('\n');
    expect(await runPython(engine, mapped)).toEqual([{ kind: 'returned', valueWire: '16' }]);
    expect(counts()).toEqual({ resets: start.resets + 2, restores: start.restores + 3 });
    expect(
      await runPython(engine, "import builtins, os\ndef solve():\n    return [hasattr(builtins, 'x'), os.path.exists('/tmp/f')]\n"),
    ).toEqual([{ kind: 'returned', valueWire: '[false,false]' }]);
  }, 120_000);
});

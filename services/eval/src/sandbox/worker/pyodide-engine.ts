import type { PyodideInterface } from 'pyodide';
import type { PyCallable } from 'pyodide/ffi';
import type { GuestOutcome, RunJob } from '../protocol.js';
import { assignGuardToNextInstance, InterpreterGuard, installPyodideImportGate } from './pyodide-import-gate.js';
import { PYTHON_HARNESS_SOURCE } from './python-harness.js';
import type { EngineRunSummary, TestReporter } from './run-reporting.js';
import type { StdoutCapture } from './stdout-capture.js';

type LoadPyodide = typeof import('pyodide').loadPyodide;

interface FreshInterpreter {
  pyodide: PyodideInterface;
  guard: InterpreterGuard;
  loadSolution: PyCallable;
  runTest: PyCallable;
}

/**
 * Runs Python in Pyodide. Loading Pyodide takes seconds, so the worker loads it once, snapshots
 * the initialised interpreter's memory, and before every run restores a brand-new interpreter
 * from that snapshot (about 0.3 s, done between runs). No Python state — modules, files in the
 * in-memory file system, monkeypatched built-ins — can outlive the run that created it.
 */
export class PyodideEngine {
  readonly version: string;
  private readonly loadPyodide: LoadPyodide;
  private readonly indexURL: string;
  private readonly snapshot: Uint8Array;
  private next: FreshInterpreter | undefined;

  private constructor(loadPyodide: LoadPyodide, indexURL: string, snapshot: Uint8Array, version: string) {
    this.loadPyodide = loadPyodide;
    this.indexURL = indexURL;
    this.snapshot = snapshot;
    this.version = version;
  }

  static async create(indexURL: string): Promise<PyodideEngine> {
    installPyodideImportGate();
    const { loadPyodide } = await import('pyodide');
    assignGuardToNextInstance(new InterpreterGuard());
    const template = await loadPyodide({
      indexURL,
      _makeSnapshot: true,
      jsglobals: {},
      env: { HOME: '/home/pyodide' },
      checkAPIVersion: true,
    });
    template.runPython(PYTHON_HARNESS_SOURCE);
    const pythonVersion = String(template.runPython("__import__('platform').python_version()"));
    const snapshot = template.makeMemorySnapshot();
    const engine = new PyodideEngine(loadPyodide, indexURL, snapshot, `${pythonVersion} (Pyodide ${template.version})`);
    await engine.prepareNextRun();
    return engine;
  }

  /** Restores the interpreter the next run will use, so that run does not wait for it. */
  async prepareNextRun(): Promise<void> {
    if (this.next) return;
    const guard = new InterpreterGuard();
    assignGuardToNextInstance(guard);
    const pyodide = await this.loadPyodide({
      indexURL: this.indexURL,
      _loadSnapshot: this.snapshot,
      jsglobals: {},
      env: { HOME: '/home/pyodide' },
    });
    pyodide.setStdin({ stdin: () => null, autoEOF: true });
    const writeToCapture = (bytes: Uint8Array) => {
      // After a blocked call Pyodide dumps its own fatal-error report; that is not the program's output.
      if (!guard.violation) guard.capture?.writeBytes(bytes);
      return bytes.length;
    };
    pyodide.setStdout({ write: writeToCapture, isatty: false });
    pyodide.setStderr({ write: writeToCapture, isatty: false });
    // Turns on CPython's periodic signal check, which the gate answers (see pendingSignal).
    pyodide.setInterruptBuffer(new Int32Array(1));
    pyodide.unregisterJsModule('js');
    pyodide.unregisterJsModule('pyodide_js');
    const loadSolution = pyodide.globals.get('load_solution') as PyCallable;
    const runTest = pyodide.globals.get('run_test') as PyCallable;
    const lockdown = pyodide.globals.get('lockdown_interpreter') as PyCallable;
    lockdown();
    guard.locked = true;
    this.next = { pyodide, guard, loadSolution, runTest };
  }

  async run(job: RunJob, capture: StdoutCapture, reporter: TestReporter): Promise<EngineRunSummary> {
    if (!this.next) await this.prepareNextRun();
    const interpreter = this.next as FreshInterpreter;
    this.next = undefined;
    const { guard } = interpreter;
    guard.capture = capture;
    guard.heapCapBytes = guard.heapBytes + job.memoryMb * 1024 * 1024;
    guard.deadline = performance.now() + job.timeMs;

    const loaded = callHarness(() => interpreter.loadSolution(job.source, job.entrypoint));
    if (loaded !== 'L') return { loadFailure: toOutcome(guard, loaded), recycle: false };

    for (let index = 0; index < job.argsWire.length; index += 1) {
      const started = performance.now();
      guard.memoryRefused = false;
      const tagged = callHarness(() => interpreter.runTest(job.argsWire[index] ?? '[]', job.maxReturnBytes));
      const outcome = toOutcome(guard, tagged);
      reporter.testFinished(index, outcome, performance.now() - started);
      if (['timeout', 'output_limit', 'blocked', 'crashed'].includes(outcome.kind)) break;
    }
    return { recycle: false };
  }
}

type HarnessResult = string | { thrown: unknown };

function callHarness(call: () => unknown): HarnessResult {
  try {
    const result = call();
    return typeof result === 'string' ? result : { thrown: new Error('the harness returned a non-string') };
  } catch (thrown) {
    return { thrown };
  }
}

function toOutcome(guard: InterpreterGuard, result: HarnessResult): GuestOutcome {
  if (guard.violation) {
    return {
      kind: 'blocked',
      message: `the program tried to reach outside the sandbox (blocked host call: ${guard.violation})`,
    };
  }
  if (guard.capture?.exceeded) return { kind: 'output_limit' };
  if (guard.deadlinePassed) return { kind: 'timeout' };
  if (typeof result !== 'string') return describeInterpreterFailure(result.thrown);
  const payload = result.slice(1);
  switch (result[0]) {
    case 'R':
      return { kind: 'returned', valueWire: payload };
    case 'M':
      return { kind: 'memory_limit', message: payload };
    case 'I':
      return { kind: 'error', message: 'KeyboardInterrupt (raised by the program)' };
    case 'E':
    case 'U':
      // A program that catches MemoryError and then fails differently still ran out of memory.
      return guard.memoryRefused ? { kind: 'memory_limit', message: 'out of memory' } : { kind: 'error', message: payload };
    default:
      return { kind: 'error', message: 'the sandbox harness returned an unexpected value' };
  }
}

/** An exception escaped the harness: Pyodide hit a fatal error (usually a native stack overflow). */
function describeInterpreterFailure(thrown: unknown): GuestOutcome {
  const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  if (/Maximum call stack size exceeded/.test(text)) {
    return { kind: 'crashed', message: 'stack overflow: the recursion is too deep (the Python interpreter crashed)' };
  }
  return { kind: 'crashed', message: `the Python interpreter crashed: ${text.split('\n')[0]?.slice(0, 500) ?? ''}` };
}

import type { PyodideInterface } from 'pyodide';
import type { PyCallable } from 'pyodide/ffi';
import type { GuestOutcome, RunJob } from '../protocol.js';
import { assignGuardToNextInstance, InterpreterGuard, installPyodideImportGate } from './pyodide-import-gate.js';
import { PYTHON_HARNESS_SOURCE } from './python-harness.js';
import type { EngineRunSummary, TestReporter } from './run-reporting.js';
import type { StdoutCapture } from './stdout-capture.js';
import type { WasmMemory } from './webassembly-global.js';

type LoadPyodide = typeof import('pyodide').loadPyodide;

interface FreshInterpreter {
  pyodide: PyodideInterface;
  guard: InterpreterGuard;
  loadSolution: PyCallable;
  runTest: PyCallable;
  resetPoint: ResetPoint | undefined;
}

/** The state of a locked, never-used interpreter, to put it back in place after a run. */
interface ResetPoint {
  memory: WasmMemory;
  /** The whole wasm linear memory. */
  bytes: Uint8Array;
  stackPointer: number;
  stackSave: () => number;
  stackRestore: (pointer: number) => void;
  streams: PyodideFileSystem['streams'];
  cwd: string;
}

interface PyodideFileSystem {
  streams: Array<unknown | null>;
  cwd(): string;
  close(stream: unknown): void;
}

/**
 * Runs Python in Pyodide. Loading Pyodide takes seconds, so the worker loads it once and
 * snapshots the initialised interpreter's memory; restoring a brand-new interpreter from that
 * snapshot costs about 0.3–0.5 s of CPU. So after a run the interpreter is instead reset in place:
 * its whole wasm linear memory (the Python heap, modules, built-ins, the C stack and libc state)
 * is overwritten with the copy taken when it was locked and never used, the C stack pointer is
 * put back, and streams the run opened are closed — milliseconds. State outside the wasm memory
 * is what could survive that, so the reset is refused, and a new interpreter restored from the
 * snapshot, whenever a run changed the file system or pre-existing streams (the import gate
 * watches every file-system call), grew the memory, hit a blocked host call, crashed the
 * interpreter, or left the stack unbalanced. No Python state — modules, files in the in-memory
 * file system, monkeypatched built-ins — can outlive the run that created it.
 */
export class PyodideEngine {
  readonly version: string;
  private readonly loadPyodide: LoadPyodide;
  private readonly indexURL: string;
  private readonly snapshot: Uint8Array;
  private next: FreshInterpreter | undefined;
  /** The interpreter the last run used, if it may be reset in place for the next one. */
  private used: FreshInterpreter | undefined;
  /** How many runs were served by an in-place reset and how many by a restore (for the tests). */
  readonly counts = { resets: 0, restores: 0 };

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
  /** Resolves to true when an interpreter was let go (worth a full garbage collection). */
  async prepareNextRun(): Promise<boolean> {
    const used = this.used;
    this.used = undefined;
    if (!this.next && used && resetInPlace(used)) {
      this.counts.resets += 1;
      this.next = used;
    }
    if (this.next) return false;
    this.counts.restores += 1;
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
    // Its proxy would otherwise be released by a finalizer at some later moment, writing into
    // memory that a reset has since put back; nothing created after the reset point holds a proxy.
    lockdown.destroy();
    guard.locked = true;
    this.next = { pyodide, guard, loadSolution, runTest, resetPoint: takeResetPoint(pyodide, guard) };
    return true;
  }

  async run(job: RunJob, capture: StdoutCapture, reporter: TestReporter): Promise<EngineRunSummary> {
    if (!this.next) await this.prepareNextRun();
    const interpreter = this.next as FreshInterpreter;
    this.next = undefined;
    const { guard } = interpreter;
    guard.capture = capture;
    guard.heapCapBytes = guard.heapBytes + job.memoryMb * 1024 * 1024;
    guard.deadline = performance.now() + job.timeMs;

    let failed = false;
    try {
      const loaded = callHarness(() => interpreter.loadSolution(job.source, job.entrypoint));
      failed = typeof loaded !== 'string';
      if (loaded !== 'L') return { loadFailure: toOutcome(guard, loaded), recycle: false };

      for (let index = 0; index < job.argsWire.length; index += 1) {
        const started = performance.now();
        guard.memoryRefused = false;
        const tagged = callHarness(() => interpreter.runTest(job.argsWire[index] ?? '[]', job.maxReturnBytes));
        failed ||= typeof tagged !== 'string';
        const outcome = toOutcome(guard, tagged);
        reporter.testFinished(index, outcome, performance.now() - started);
        if (['timeout', 'output_limit', 'blocked', 'crashed'].includes(outcome.kind)) break;
      }
      return { recycle: false };
    } finally {
      // An exception out of the harness means Pyodide itself failed: never reuse that interpreter.
      if (!failed) this.used = interpreter;
    }
  }
}

function takeResetPoint(pyodide: PyodideInterface, guard: InterpreterGuard): ResetPoint | undefined {
  const module = (pyodide as unknown as { _module?: { stackSave?: unknown; stackRestore?: unknown } })._module;
  const fileSystem = (pyodide as unknown as { FS?: PyodideFileSystem }).FS;
  const memory = guard.memory;
  if (
    !memory ||
    typeof module?.stackSave !== 'function' ||
    typeof module.stackRestore !== 'function' ||
    !Array.isArray(fileSystem?.streams)
  ) {
    return undefined;
  }
  const streams = [...fileSystem.streams];
  guard.baselineDescriptors = new Set(streams.flatMap((stream, fd) => (stream ? [fd] : [])));
  return {
    memory,
    bytes: new Uint8Array(memory.buffer).slice(),
    stackPointer: (module.stackSave as () => number)(),
    stackSave: module.stackSave as () => number,
    stackRestore: module.stackRestore as (pointer: number) => void,
    streams,
    cwd: fileSystem.cwd(),
  };
}

/**
 * Puts a used interpreter back to its reset point. False when that would not be the same as a
 * fresh interpreter (see the class comment); the caller then restores a new one instead.
 */
function resetInPlace(interpreter: FreshInterpreter): boolean {
  const { guard, resetPoint: point } = interpreter;
  const fileSystem = (interpreter.pyodide as unknown as { FS: PyodideFileSystem }).FS;
  if (!point || guard.violation !== undefined || guard.fileSystemChanged) return false;
  if (point.memory.buffer.byteLength !== point.bytes.byteLength || point.stackSave() !== point.stackPointer) return false;
  if (fileSystem.cwd() !== point.cwd) return false;
  // Streams a run opened (read-only, or it would have counted as a change) are closed.
  fileSystem.streams.forEach((stream, fd) => {
    if (stream && point.streams[fd] !== stream) fileSystem.close(stream);
  });
  if (fileSystem.streams.some((stream, fd) => stream !== (point.streams[fd] ?? null) && (stream || point.streams[fd]))) return false;
  new Uint8Array(point.memory.buffer).set(point.bytes);
  guard.resetForNextRun();
  return true;
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

import { readFileSync } from 'node:fs';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import type { GuestOutcome, RunJob } from '../protocol.js';
import { WIRE_SPECIAL_KEY } from '../value-wire.js';
import { GUEST_SOLUTION_FILE, QUICKJS_GUEST_HARNESS_SOURCE, wrapSolutionSource } from './quickjs-guest-harness.js';
import type { EngineRunSummary, TestReporter } from './run-reporting.js';
import type { StdoutCapture } from './stdout-capture.js';
import { type WasmMemory, webAssembly } from './webassembly-global.js';

type StopReason = 'timeout' | 'output_limit';

const SCRIPT = { type: 'global' } as const;

const WASM_PAGE_BYTES = 64 * 1024;
/** QuickJS's wasm module starts with 16 MiB (static data, stack, initial heap). */
const QUICKJS_INITIAL_MEMORY_BYTES = 16 * 1024 * 1024;
/** Room for the runtime itself, the harness and allocator fragmentation on top of the guest limit. */
const QUICKJS_MEMORY_OVERHEAD_BYTES = 8 * 1024 * 1024;

interface QuickJsInstance {
  module: QuickJSWASMModule;
  memoryMb: number;
  memory: WasmMemory;
  /** The instance's whole linear memory as it was right after instantiation, before any runtime existed. */
  pristine: Uint8Array;
}

/** The JavaScript-side registry quickjs-emscripten keeps of live runtimes and contexts (by C pointer). */
interface ModuleCallbacks {
  deleteRuntime(pointer: number): void;
  deleteContext(pointer: number): void;
}

/**
 * Runs JavaScript in QuickJS compiled to WebAssembly, in a wasm instance whose memory has a hard
 * maximum, because QuickJS's own memory limit misses memory grown by realloc (this build cannot
 * measure allocation sizes). Every run gets a new QuickJS runtime and context; after the run the
 * instance's linear memory is overwritten with the copy taken right after instantiation, so the
 * next run starts from memory byte for byte identical to a brand-new instance (about 1.5 ms for
 * 16 MiB, against about 9 ms to instantiate). An instance whose memory grew, or that failed in
 * any way (trap, stack overflow, abort), is dropped instead. The guest sees only ECMAScript
 * built-ins and a console whose only host capability is appending to the captured output.
 */
export class QuickJsEngine {
  readonly version = 'QuickJS';
  private readonly compiledWasm: unknown;
  private readonly maxStackBytes: number;
  private readonly defaultMemoryMb: number;
  /** Wiped instances ready for a run, by memory limit: the default one, and the last other one used. */
  private readonly idle = new Map<number, QuickJsInstance>();
  /** The instance the last run used, to be wiped and reused (undefined: dropped). */
  private used: QuickJsInstance | undefined;

  private constructor(compiledWasm: unknown, maxStackBytes: number, defaultMemoryMb: number) {
    this.compiledWasm = compiledWasm;
    this.maxStackBytes = maxStackBytes;
    this.defaultMemoryMb = defaultMemoryMb;
  }

  static async create(wasmPath: string, maxStackBytes: number, defaultMemoryMb: number): Promise<QuickJsEngine> {
    const compiledWasm = new webAssembly.Module(readFileSync(wasmPath));
    const engine = new QuickJsEngine(compiledWasm, maxStackBytes, defaultMemoryMb);
    await engine.prepareNextRun();
    return engine;
  }

  /**
   * Readies an instance with the memory limit the next run will most likely use (the default).
   * Resolves to true when an instance was let go or made (worth a full garbage collection).
   */
  async prepareNextRun(): Promise<boolean> {
    const used = this.used;
    this.used = undefined;
    let replaced = used === undefined;
    if (used && wipeInstance(used)) {
      for (const memoryMb of this.idle.keys()) if (memoryMb !== this.defaultMemoryMb) this.idle.delete(memoryMb);
      this.idle.set(used.memoryMb, used);
    } else {
      replaced = true;
    }
    if (!this.idle.has(this.defaultMemoryMb)) {
      this.idle.set(this.defaultMemoryMb, await this.instantiate(this.defaultMemoryMb));
      replaced = true;
    }
    return replaced;
  }

  private async instantiate(memoryMb: number): Promise<QuickJsInstance> {
    const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = await import('quickjs-emscripten');
    const maximumBytes = QUICKJS_INITIAL_MEMORY_BYTES + memoryMb * 1024 * 1024 + QUICKJS_MEMORY_OVERHEAD_BYTES;
    const wasmMemory = new webAssembly.Memory({
      initial: QUICKJS_INITIAL_MEMORY_BYTES / WASM_PAGE_BYTES,
      maximum: Math.ceil(maximumBytes / WASM_PAGE_BYTES),
    });
    const variant = newVariant(RELEASE_SYNC, { wasmModule: this.compiledWasm as never, wasmMemory: wasmMemory as never });
    const module = await newQuickJSWASMModuleFromVariant(variant);
    return { module, memoryMb, memory: wasmMemory, pristine: new Uint8Array(wasmMemory.buffer).slice() };
  }

  async run(job: RunJob, capture: StdoutCapture, reporter: TestReporter): Promise<EngineRunSummary> {
    const instance = this.idle.get(job.memoryMb) ?? (await this.instantiate(job.memoryMb));
    this.idle.delete(job.memoryMb);
    const runtime = instance.module.newRuntime();
    const deadline = performance.now() + job.timeMs;
    let stopReason: StopReason | undefined;
    runtime.setMemoryLimit(job.memoryMb * 1024 * 1024);
    runtime.setMaxStackSize(this.maxStackBytes);
    runtime.setInterruptHandler(() => {
      if (capture.exceeded) stopReason ??= 'output_limit';
      else if (performance.now() > deadline) stopReason ??= 'timeout';
      return stopReason !== undefined;
    });
    const context = runtime.newContext();
    const pointers = { runtime: lifetimePointer(runtime, 'rt'), context: lifetimePointer(context, 'ctx') };
    let reusable = true;
    const stopOutcome = (): GuestOutcome | undefined => {
      if (capture.exceeded) return { kind: 'output_limit' };
      if (stopReason === 'timeout') return { kind: 'timeout' };
      return undefined;
    };
    let runningTest = -1;
    let testStarted = 0;

    // Handles are not disposed one by one (QuickJS would abort on freeing a runtime with live
    // values): the runtime is forgotten on the JavaScript side and the memory wiped after the run.
    try {
      const harness = this.createHarness(context, capture, job);
      if ('failure' in harness) return { loadFailure: stopOutcome() ?? harness.failure, recycle: false };

      const loaded = this.loadSolution(context, job, harness);
      if ('failure' in loaded) return { loadFailure: stopOutcome() ?? loaded.failure, recycle: false };

      for (let index = 0; index < job.argsWire.length; index += 1) {
        runningTest = index;
        testStarted = performance.now();
        const tagged = this.callEntrypoint(context, runtime, harness, loaded.entry, job.argsWire[index] ?? '[]');
        const outcome = stopOutcome() ?? tagged;
        reporter.testFinished(index, outcome, performance.now() - testStarted);
        if (outcome.kind === 'timeout' || outcome.kind === 'output_limit') break;
      }
      return { recycle: false };
    } catch (error) {
      reusable = false;
      // QuickJS does not bound the native recursion of JSON.parse, flat() and friends; a V8 stack
      // overflow or a wasm abort inside the instance is reported, and the instance is dropped.
      if (!(error instanceof RangeError) && !isWasmFailure(error)) throw error;
      const crashed: GuestOutcome = {
        kind: 'crashed',
        message:
          error instanceof RangeError
            ? 'stack overflow: the data is nested too deeply or the recursion is too deep'
            : `the JavaScript engine failed: ${(error as Error).message}`,
      };
      if (runningTest < 0) return { loadFailure: crashed, recycle: false };
      reporter.testFinished(runningTest, crashed, performance.now() - testStarted);
      return { recycle: false };
    } finally {
      const callbacks = (instance.module as unknown as { callbacks?: Partial<ModuleCallbacks> }).callbacks;
      if (
        reusable &&
        pointers.runtime !== undefined &&
        pointers.context !== undefined &&
        callbacks?.deleteContext &&
        callbacks.deleteRuntime
      ) {
        callbacks.deleteContext(pointers.context);
        callbacks.deleteRuntime(pointers.runtime);
        this.used = instance;
      }
    }
  }

  private createHarness(context: QuickJSContext, capture: StdoutCapture, job: RunJob): HarnessHandles | { failure: GuestOutcome } {
    const hostWrite = context.newFunction('hostWrite', (textHandle) => {
      const remaining = context.typeof(textHandle) === 'string' ? capture.write(context.getString(textHandle)) : 0;
      return context.newNumber(remaining);
    });
    // Both sources start with '(', so they are scripts; saying so skips module detection (~0.4 ms each).
    const factoryResult = context.evalCode(QUICKJS_GUEST_HARNESS_SOURCE, 'codeyard-harness.js', SCRIPT);
    if (factoryResult.error) return { failure: describeHostSideError(context, factoryResult.error) };
    const harnessResult = context.callFunction(
      factoryResult.value,
      context.undefined,
      hostWrite,
      context.newString(WIRE_SPECIAL_KEY),
      context.newNumber(job.maxReturnBytes),
    );
    if (harnessResult.error) return { failure: describeHostSideError(context, harnessResult.error) };
    const harness = harnessResult.value;
    return {
      loadSolution: context.getProp(harness, 'loadSolution'),
      runTest: context.getProp(harness, 'runTest'),
      settledResult: context.getProp(harness, 'settledResult'),
      describeLoadError: context.getProp(harness, 'describeLoadError'),
    };
  }

  private loadSolution(
    context: QuickJSContext,
    job: RunJob,
    harness: HarnessHandles,
  ): { entry: QuickJSHandle } | { failure: GuestOutcome } {
    const evaluated = context.evalCode(wrapSolutionSource(job.source, job.entrypoint), GUEST_SOLUTION_FILE, SCRIPT);
    if (evaluated.error) {
      const described = context.callFunction(harness.describeLoadError, context.undefined, evaluated.error);
      if (described.error) return { failure: describeHostSideError(context, described.error) };
      return { failure: parseTaggedResult(context.getString(described.value)) };
    }
    const loaded = context.callFunction(harness.loadSolution, context.undefined, evaluated.value, context.newString(job.entrypoint));
    if (loaded.error) return { failure: describeHostSideError(context, loaded.error) };
    const result = loaded.value;
    if (context.typeof(result) === 'function') return { entry: result };
    return { failure: parseTaggedResult(context.getString(result)) };
  }

  private callEntrypoint(
    context: QuickJSContext,
    runtime: QuickJSRuntime,
    harness: HarnessHandles,
    entry: QuickJSHandle,
    argsWire: string,
  ): GuestOutcome {
    const argsHandle = context.newString(argsWire);
    const called = context.callFunction(harness.runTest, context.undefined, entry, argsHandle);
    argsHandle.dispose();
    if (called.error) return describeHostSideError(context, called.error);
    let tagged = readTaggedString(context, called.value);
    if (tagged !== 'P') return parseTaggedResult(tagged);

    while (runtime.hasPendingJob()) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) return describeHostSideError(context, jobs.error);
    }
    const settled = context.callFunction(harness.settledResult, context.undefined);
    if (settled.error) return describeHostSideError(context, settled.error);
    tagged = readTaggedString(context, settled.value);
    return parseTaggedResult(tagged);
  }
}

/**
 * Puts an instance back into the state it had right after instantiation. False when it cannot be:
 * its memory grew (a wasm memory cannot shrink), so it is dropped.
 */
function wipeInstance(instance: QuickJsInstance): boolean {
  if (instance.memory.buffer.byteLength !== instance.pristine.byteLength) return false;
  new Uint8Array(instance.memory.buffer).set(instance.pristine);
  return true;
}

/** The C pointer behind a quickjs-emscripten runtime or context (undefined if its layout changed). */
function lifetimePointer(owner: QuickJSRuntime | QuickJSContext, field: 'rt' | 'ctx'): number | undefined {
  const pointer = (owner as unknown as Record<string, { value?: unknown } | undefined>)[field]?.value;
  return typeof pointer === 'number' ? pointer : undefined;
}

interface HarnessHandles {
  loadSolution: QuickJSHandle;
  runTest: QuickJSHandle;
  settledResult: QuickJSHandle;
  describeLoadError: QuickJSHandle;
}

function readTaggedString(context: QuickJSContext, handle: QuickJSHandle): string {
  const text = context.typeof(handle) === 'string' ? context.getString(handle) : 'Ethe harness returned an unexpected value';
  handle.dispose();
  return text;
}

/** Turns the harness's one-letter-tagged string into an outcome. */
function parseTaggedResult(tagged: string): GuestOutcome {
  const payload = tagged.slice(1);
  switch (tagged[0]) {
    case 'R':
      return { kind: 'returned', valueWire: payload };
    case 'M':
      return { kind: 'memory_limit', message: payload };
    case 'T':
      return { kind: 'timeout', message: payload };
    case 'U':
    case 'E':
      return { kind: 'error', message: payload };
    default:
      return { kind: 'error', message: 'the sandbox harness returned an unexpected value' };
  }
}

/**
 * An exception the harness could not catch: the interrupt (time or output limit, reported by the
 * caller), or an out-of-memory that hit the harness itself.
 */
function describeHostSideError(context: QuickJSContext, errorHandle: QuickJSHandle): GuestOutcome {
  const dumped: unknown = context.dump(errorHandle);
  const name = typeof dumped === 'object' && dumped !== null ? String((dumped as { name?: unknown }).name) : '';
  const message = typeof dumped === 'object' && dumped !== null ? String((dumped as { message?: unknown }).message) : String(dumped);
  if (message === 'out of memory') return { kind: 'memory_limit', message: 'out of memory' };
  if (name === 'InternalError' && message === 'interrupted') return { kind: 'timeout' };
  return { kind: 'error', message: name ? `${name}: ${message}` : message };
}

function isWasmFailure(error: unknown): boolean {
  return error instanceof webAssembly.RuntimeError || (error instanceof Error && /Aborted\(/.test(error.message));
}

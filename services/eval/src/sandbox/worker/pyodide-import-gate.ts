import type { StdoutCapture } from './stdout-capture.js';
import { type WasmImports, type WasmInstance, type WasmMemory, webAssembly } from './webassembly-global.js';

/**
 * Pyodide lets Python reach JavaScript through many doors (`import js`, `pyodide.ffi`,
 * `_pyodide_core.to_js`, `JsException(...)`, `ctypes` + `emscripten_run_script`, `os.system`
 * which Emscripten implements with child_process). Hiding modules from Python cannot close them
 * all, because Python can always find objects again (gc, __subclasses__, builtin importers).
 *
 * The one chokepoint Python cannot route around is the set of JavaScript functions the wasm
 * module imports: every door above ends in one of them. Once a fresh interpreter is locked, the
 * gate lets through only the imports an interpreter needs for computing, printing, time, memory
 * and its in-memory file system, and refuses everything that touches JavaScript objects, loads
 * code, runs commands or uses the network. A refused call marks the interpreter as violated; the
 * worker reports the run as blocked and never reuses that interpreter.
 */

const ALLOWED_IMPORTS = new Set([
  // Calling Python from the worker with string/number arguments and reading a string back.
  'JsvArray_Get',
  'JsvNoValue_Check',
  'js2python_js',
  'js2python_immutable_js',
  '_python2js_ucs1',
  '_python2js_ucs2',
  '_python2js_ucs4',
  'JsvNum_fromInt',
  'JsvNum_fromDouble',
  'JsvNum_fromDigits',
  'JsvUTF8ToString',
  '_PyEM_TrampolineCall_JS',
  '_PyEM_GetCountArgsPtr',
  '_PyEM_InitTrampoline_js',
  '_Py_emscripten_runtime',
  // A Python exception escaping a harness call becomes a JavaScript error for the worker.
  'new_error',
  'JsvError_Throw',
  'capture_stderr',
  'restore_stderr',
  // Time.
  'clock_time_get',
  'clock_res_get',
  'emscripten_get_now_res',
  '_emscripten_get_now_is_monotonic',
  'emscripten_date_now',
  'emscripten_performance_now',
  '_localtime_js',
  '_gmtime_js',
  '_mktime_js',
  '_timegm_js',
  '_tzset_js',
  'strptime',
  'strptime_l',
  '__asctime_r',
  'can_run_sync_js',
  // Randomness and maths.
  'random_get',
  'emscripten_random',
  // Memory.
  'emscripten_get_heap_max',
  'emscripten_notify_memory_growth',
  '_mmap_js',
  '_munmap_js',
  '_msync_js',
  // The interpreter's own (in-memory, per-instance) environment.
  'environ_get',
  'environ_sizes_get',
  // Aborts, unwinding and diagnostics.
  '__assert_fail',
  '_abort_js',
  'emscripten_throw_number',
  'emscripten_throw_string',
  '__call_sighandler',
  'emscripten_stack_snapshot',
  'emscripten_stack_unwind_buffer',
  'emscripten_return_address',
  'emscripten_get_callstack',
  'emscripten_pc_get_function',
  'emscripten_pc_get_file',
  'emscripten_pc_get_line',
  'emscripten_pc_get_column',
  '_emscripten_runtime_keepalive_clear',
  'emscripten_has_asyncify',
  'emscripten_console_log',
  'emscripten_console_warn',
  'emscripten_console_error',
  'emscripten_console_trace',
  'emscripten_out',
  'emscripten_outn',
  'emscripten_err',
  'emscripten_errn',
  'emscripten_log',
  'emscripten_print_double',
]);

const ALLOWED_IMPORT_PREFIXES = ['fd_', 'emscripten_math_', '__syscall_'];

/** Socket syscalls fail like a firewall would (EACCES), so Python raises PermissionError. */
const NETWORK_SYSCALLS = new Set([
  '__syscall_socket',
  '__syscall_socketpair',
  '__syscall_connect',
  '__syscall_bind',
  '__syscall_listen',
  '__syscall_accept4',
  '__syscall_sendto',
  '__syscall_recvfrom',
  '__syscall_sendmsg',
  '__syscall_recvmsg',
  '__syscall_getsockopt',
  '__syscall_setsockopt',
  '__syscall_getpeername',
  '__syscall_getsockname',
  '__syscall_shutdown',
]);
const EMSCRIPTEN_EACCES = 2;
const NAME_LOOKUPS = new Set(['getaddrinfo', 'getnameinfo']);
const EAI_FAIL = -4;

const SIGINT = 2;
/** After a stop is requested, KeyboardInterrupt is raised again at this interval until the guest yields. */
const SIGNAL_REPEAT_MS = 100;

function isAllowedImport(name: string): boolean {
  return ALLOWED_IMPORTS.has(name) || ALLOWED_IMPORT_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Per-interpreter switches shared between the worker and the wrapped imports. */
export class InterpreterGuard {
  locked = false;
  deadline = Number.POSITIVE_INFINITY;
  heapCapBytes = Number.POSITIVE_INFINITY;
  capture: StdoutCapture | undefined;
  memory: WasmMemory | undefined;
  signalFired = false;
  memoryRefused = false;
  violation: string | undefined;
  /** The run changed the file system or its open streams (state outside the wasm memory). */
  fileSystemChanged = false;
  /** Descriptors open when the interpreter was locked; a run may not move, read or close them. */
  baselineDescriptors: ReadonlySet<number> = new Set([0, 1, 2]);
  private lastSignalAt = Number.NEGATIVE_INFINITY;

  /** Clears what one run set, before the next run on the same (reset) interpreter. */
  resetForNextRun(): void {
    this.deadline = Number.POSITIVE_INFINITY;
    this.heapCapBytes = Number.POSITIVE_INFINITY;
    this.capture = undefined;
    this.signalFired = false;
    this.memoryRefused = false;
    this.fileSystemChanged = false;
    this.lastSignalAt = Number.NEGATIVE_INFINITY;
  }

  get heapBytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  get deadlinePassed(): boolean {
    return performance.now() > this.deadline;
  }

  private get stopRequested(): boolean {
    return this.violation !== undefined || (this.capture?.exceeded ?? false) || this.deadlinePassed;
  }

  /** Called by CPython every few dozen bytecode ticks; returning SIGINT raises KeyboardInterrupt. */
  pendingSignal(): number {
    if (!this.stopRequested) return 0;
    const now = performance.now();
    if (now - this.lastSignalAt < SIGNAL_REPEAT_MS) return 0;
    this.lastSignalAt = now;
    this.signalFired = true;
    return SIGINT;
  }

  refuse(importName: string): never {
    this.violation ??= importName;
    throw new Error(`the sandbox blocked a host call (${importName})`);
  }
}

type ImportFunction = (...args: number[]) => unknown;

function guardImport(name: string, original: ImportFunction, guard: InterpreterGuard): ImportFunction {
  switch (name) {
    case '_Py_CheckEmscriptenSignals_Helper':
      return () => (guard.locked ? guard.pendingSignal() : original());
    case 'emscripten_resize_heap':
      return (requestedBytes) => {
        if (guard.locked && requestedBytes >>> 0 > guard.heapCapBytes) {
          guard.memoryRefused = true;
          return 0;
        }
        return original(requestedBytes);
      };
    case 'emscripten_get_now':
      // time.sleep() busy-waits on this clock without checking signals; once the deadline has
      // passed, jumping the clock ends the sleep so the interrupt can land.
      return () => {
        const now = original() as number;
        return guard.locked && guard.deadlinePassed ? now + 1e9 : now;
      };
  }
  if (NETWORK_SYSCALLS.has(name)) return (...args) => (guard.locked ? -EMSCRIPTEN_EACCES : original(...args));
  if (NAME_LOOKUPS.has(name)) return (...args) => (guard.locked ? EAI_FAIL : original(...args));
  if (name.startsWith('__syscall_') || name.startsWith('fd_') || FILE_MAPPING_IMPORTS.has(name)) {
    return (...args) => {
      if (guard.locked && changesFileSystemState(name, args, guard.baselineDescriptors)) guard.fileSystemChanged = true;
      return original(...args);
    };
  }
  if (isAllowedImport(name)) return original;
  return (...args) => (guard.locked ? guard.refuse(name) : original(...args));
}

/** Mapping a file can write it back on unmap or sync, without any write call. */
const FILE_MAPPING_IMPORTS = new Set(['_mmap_js', '_munmap_js', '_msync_js']);
const READ_ONLY_SYSCALLS = new Set([
  '__syscall_fstat64',
  '__syscall_stat64',
  '__syscall_lstat64',
  '__syscall_newfstatat',
  '__syscall_getcwd',
  '__syscall_getdents64',
  '__syscall_readlinkat',
  '__syscall_faccessat',
  '__syscall_statfs64',
  '__syscall_fstatfs64',
]);
/** O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND in Emscripten's numbering. */
const WRITING_OPEN_FLAGS = 1 | 2 | 0o100 | 0o1000 | 0o2000;
const F_GETFD = 1;
const F_GETFL = 3;

/**
 * Whether a file-system call changes state that lives in JavaScript (Emscripten's in-memory file
 * system and its table of open streams) rather than in the wasm memory an in-place reset restores.
 * Anything not known to be harmless counts as a change, and the interpreter is then replaced.
 */
function changesFileSystemState(name: string, args: number[], baseline: ReadonlySet<number>): boolean {
  if (READ_ONLY_SYSCALLS.has(name)) return false;
  const fd = args[0] ?? -1;
  switch (name) {
    case '__syscall_openat':
      return ((args[2] ?? 0) & WRITING_OPEN_FLAGS) !== 0;
    case '__syscall_fcntl64':
      return baseline.has(fd) || !(args[1] === F_GETFD || args[1] === F_GETFL);
    case 'fd_write':
      return fd !== 1 && fd !== 2;
    case 'fd_fdstat_get':
      return false;
    case 'fd_read':
    case 'fd_pread':
    case 'fd_seek':
    case 'fd_close':
      return baseline.has(fd);
    default:
      return true;
  }
}

let guardForNextInstance: InterpreterGuard | undefined;

/**
 * Patches WebAssembly.instantiate once, before Pyodide is imported, so every interpreter instance
 * (first load and each snapshot restore) is created with guarded imports.
 */
export function installPyodideImportGate(): void {
  const originalInstantiate = webAssembly.instantiate.bind(webAssembly);
  const gatedInstantiate = (source: unknown, imports?: WasmImports): Promise<unknown> => {
    const env = imports?.env;
    if (!imports || !env || !('_Py_CheckEmscriptenSignals_Helper' in env)) return originalInstantiate(source, imports);
    const guard = guardForNextInstance;
    if (!guard) throw new Error('a Pyodide instance was created without an interpreter guard');
    guardForNextInstance = undefined;
    if (env.memory instanceof webAssembly.Memory) guard.memory = env.memory;
    const guardedEnv = new Proxy(env, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof property !== 'string' || typeof value !== 'function') return value;
        return guardImport(property, value as ImportFunction, guard);
      },
    });
    return originalInstantiate(source, { ...imports, env: guardedEnv }).then((result) => {
      const instance = result instanceof webAssembly.Instance ? result : (result as { instance: WasmInstance }).instance;
      const exportedMemory = instance.exports.memory;
      if (!guard.memory && exportedMemory instanceof webAssembly.Memory) guard.memory = exportedMemory;
      return result;
    });
  };
  webAssembly.instantiate = gatedInstantiate;
}

/** The next Pyodide instance created gets this guard. */
export function assignGuardToNextInstance(guard: InterpreterGuard): void {
  guardForNextInstance = guard;
}

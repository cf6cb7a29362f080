import { availableParallelism } from 'node:os';
import { compileJavaScript } from './compile-javascript.js';
import { describeLanguages } from './engine-packages.js';
import { InvalidEvalRequestError, QueueFullError, SandboxUnavailableError } from './errors.js';
import { engineKindFor, type RunJob } from './protocol.js';
import { assembleEvalResult, failedRunResult, type RunContext } from './run-results.js';
import { processTreeRssBytes, type RunLimits, SandboxWorker, type WorkerRunRecord } from './sandbox-worker.js';
import { evalRequestSchema } from './schema.js';
import type {
  EngineKind,
  EvalRequest,
  EvalResult,
  LanguageInfo,
  RunOptions,
  SandboxPool,
  SandboxPoolOptions,
  SandboxPoolStats,
  WorkerKindStats,
} from './types.js';
import { encodeWire } from './value-wire.js';
import { prepareWorkerLauncher, type WorkerLauncher } from './worker-launcher.js';

const ENGINE_KINDS: EngineKind[] = ['quickjs', 'pyodide'];
/** How long after its time limit a run's worker is killed, if the engine has not stopped it. */
const HARD_KILL_GRACE_MS = 500;
/** Resident memory a worker may add during a run beyond the guest's own limit before it is killed. */
const RSS_SLACK_MB: Record<EngineKind, number> = { quickjs: 192, pyodide: 320 };
const STARTUP_TIMEOUT_MS = 60_000;
const MAX_RETURN_BYTES = 1024 * 1024;
const MAX_RESTART_DELAY_MS = 30_000;
const STARTUP_FAILURES_BEFORE_REJECTING = 5;

interface Settings {
  workers: number;
  queueLimit: number;
  defaultTimeMs: number;
  defaultMemoryMb: number;
  maxStdoutBytes: number;
  runsPerWorker: number;
  runsPerOwner: number;
}

interface QueuedRun {
  kind: EngineKind;
  owner: string | undefined;
  job: RunJob;
  context: RunContext;
  resolve(result: EvalResult): void;
  reject(error: Error): void;
}

interface KindState {
  workers: Set<SandboxWorker>;
  consecutiveStartupFailures: number;
  restartTimer: NodeJS.Timeout | undefined;
  readyWaiters: Array<() => void>;
}

export function createSandboxPool(options: SandboxPoolOptions = {}): SandboxPool {
  const settings: Settings = {
    workers: positiveInteger(options.workers, defaultWorkerCount(), 'workers'),
    queueLimit: positiveInteger(options.queueLimit, 32, 'queueLimit'),
    defaultTimeMs: positiveInteger(options.defaultTimeMs, 2_000, 'defaultTimeMs'),
    defaultMemoryMb: positiveInteger(options.defaultMemoryMb, 64, 'defaultMemoryMb'),
    maxStdoutBytes: positiveInteger(options.maxStdoutBytes, 64 * 1024, 'maxStdoutBytes'),
    runsPerWorker: positiveInteger(options.runsPerWorker, 10_000, 'runsPerWorker'),
    runsPerOwner: 1,
  };
  settings.runsPerOwner = positiveInteger(options.runsPerOwner, Math.max(1, Math.floor(settings.workers / 2)), 'runsPerOwner');
  const languageInfo = describeLanguages();
  const kinds: Record<EngineKind, KindState> = {
    quickjs: { workers: new Set(), consecutiveStartupFailures: 0, restartTimer: undefined, readyWaiters: [] },
    pyodide: { workers: new Set(), consecutiveStartupFailures: 0, restartTimer: undefined, readyWaiters: [] },
  };
  const queue: QueuedRun[] = [];
  /** Running runs per owner and engine kind, for fairness: one user cannot hold every worker. */
  const runningByOwner = new Map<string, number>();
  const ownerKey = (run: QueuedRun) => (run.owner === undefined ? undefined : `${run.kind}\u0000${run.owner}`);
  const counters = { completedRuns: 0, rejectedRuns: 0, hardKills: 0, workerCrashes: 0, workersStarted: 0, workersRecycled: 0 };
  let compiling = 0;
  let running = 0;
  let closed = false;
  let nextJobId = 1;
  let averageRunMs = 500;
  let launcher: WorkerLauncher | undefined;

  const launcherReady = prepareWorkerLauncher({ defaultMemoryMb: settings.defaultMemoryMb }).then((prepared) => {
    if (closed) {
      void prepared.dispose();
      throw new SandboxUnavailableError('The sandbox pool was closed');
    }
    launcher = prepared;
    for (const kind of ENGINE_KINDS) for (let i = 0; i < settings.workers; i += 1) startWorker(kind);
    return prepared;
  });
  // A failed preparation is reported by run() and warmUp(); it must not crash the process meanwhile.
  launcherReady.catch(() => undefined);

  function startWorker(kind: EngineKind): void {
    if (closed || !launcher) return;
    counters.workersStarted += 1;
    const worker = new SandboxWorker(kind, launcher, { onReady: handleReady, onExit: handleExit }, STARTUP_TIMEOUT_MS);
    kinds[kind].workers.add(worker);
  }

  function handleReady(worker: SandboxWorker): void {
    const state = kinds[worker.kind];
    state.consecutiveStartupFailures = 0;
    if (worker.runsCompleted >= settings.runsPerWorker) {
      counters.workersRecycled += 1;
      worker.retire();
      return;
    }
    for (const wake of state.readyWaiters.splice(0)) wake();
    dispatch();
  }

  function handleExit(worker: SandboxWorker, diedBeforeReady: boolean): void {
    const state = kinds[worker.kind];
    state.workers.delete(worker);
    if (closed) return;
    if (!diedBeforeReady) {
      scheduleStart(worker.kind, 0);
      return;
    }
    state.consecutiveStartupFailures += 1;
    if (state.consecutiveStartupFailures >= STARTUP_FAILURES_BEFORE_REJECTING) {
      const failure = new SandboxUnavailableError(
        `The ${worker.kind} sandbox workers cannot start: ${worker.diagnostics.trim().split('\n').slice(-3).join(' | ') || 'no diagnostics'}`,
      );
      for (const queued of removeQueued((run) => run.kind === worker.kind)) queued.reject(failure);
    }
    const delay = Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** (state.consecutiveStartupFailures - 1));
    scheduleStart(worker.kind, delay);
  }

  function scheduleStart(kind: EngineKind, delayMs: number): void {
    const state = kinds[kind];
    const missing = settings.workers - state.workers.size;
    if (missing <= 0) return;
    if (delayMs === 0) {
      for (let i = 0; i < missing; i += 1) startWorker(kind);
      return;
    }
    if (state.restartTimer) return;
    state.restartTimer = setTimeout(() => {
      state.restartTimer = undefined;
      scheduleStart(kind, 0);
    }, delayMs);
  }

  function removeQueued(matches: (run: QueuedRun) => boolean): QueuedRun[] {
    const removed: QueuedRun[] = [];
    for (let i = queue.length - 1; i >= 0; i -= 1) {
      const run = queue[i] as QueuedRun;
      if (matches(run)) removed.unshift(...queue.splice(i, 1));
    }
    return removed;
  }

  function dispatch(): void {
    for (let i = 0; i < queue.length; ) {
      const queued = queue[i] as QueuedRun;
      const key = ownerKey(queued);
      const ownerAtLimit = key !== undefined && (runningByOwner.get(key) ?? 0) >= settings.runsPerOwner;
      const worker = ownerAtLimit ? undefined : [...kinds[queued.kind].workers].find((candidate) => candidate.state === 'ready');
      if (!worker) {
        i += 1;
        continue;
      }
      queue.splice(i, 1);
      void execute(worker, queued);
    }
  }

  async function execute(worker: SandboxWorker, queued: QueuedRun): Promise<void> {
    const key = ownerKey(queued);
    if (key !== undefined) runningByOwner.set(key, (runningByOwner.get(key) ?? 0) + 1);
    try {
      await executeOnWorker(worker, queued);
    } finally {
      if (key !== undefined) {
        const left = (runningByOwner.get(key) ?? 1) - 1;
        if (left > 0) runningByOwner.set(key, left);
        else runningByOwner.delete(key);
        // A run of this owner may have been waiting only for this one.
        dispatch();
      }
    }
  }

  async function executeOnWorker(worker: SandboxWorker, queued: QueuedRun): Promise<void> {
    running += 1;
    const started = performance.now();
    const { job, kind } = queued;
    const rssAtStart = worker.pid === undefined ? 0 : processTreeRssBytes(worker.pid);
    const limits: RunLimits = {
      hardTimeoutMs: job.timeMs + HARD_KILL_GRACE_MS,
      rssLimitBytes: rssAtStart > 0 ? rssAtStart + (job.memoryMb + RSS_SLACK_MB[kind]) * 1024 * 1024 : undefined,
      maxStdoutBytes: job.maxStdoutBytes,
    };
    let record: WorkerRunRecord;
    try {
      record = await worker.execute(job, limits);
    } catch (error) {
      running -= 1;
      queued.reject(error as Error);
      return;
    }
    running -= 1;
    if (worker.runsCompleted >= settings.runsPerWorker && worker.state !== 'dead' && worker.state !== 'retiring') {
      counters.workersRecycled += 1;
      worker.retire();
    }
    const durationMs = performance.now() - started;
    averageRunMs = averageRunMs * 0.8 + durationMs * 0.2;
    counters.completedRuns += 1;
    if (record.ending.kind === 'killed-timeout' || record.ending.kind === 'killed-memory') counters.hardKills += 1;
    if (record.ending.kind === 'crashed') counters.workerCrashes += 1;
    queued.resolve(assembleEvalResult(record, queued.context, durationMs));
  }

  function retryAfterSeconds(): number {
    const perWorker = (queue.length + compiling + 1) / settings.workers;
    return Math.min(60, Math.max(1, Math.ceil((perWorker * averageRunMs) / 1000)));
  }

  async function run(request: EvalRequest, options: RunOptions = {}): Promise<EvalResult> {
    const started = performance.now();
    const parsed = evalRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new InvalidEvalRequestError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    }
    if (closed) throw new SandboxUnavailableError('The sandbox pool was closed');
    if (queue.length + compiling >= settings.queueLimit) {
      counters.rejectedRuns += 1;
      throw new QueueFullError(retryAfterSeconds());
    }
    // The slot is taken before the first await so concurrent callers cannot overshoot the limit.
    compiling += 1;
    let job: RunJob;
    let context: RunContext;
    try {
      const prepared = await prepareJob(request, started);
      if ('result' in prepared) return prepared.result;
      ({ job, context } = prepared);
      await launcherReady;
    } finally {
      compiling -= 1;
    }
    if (closed) throw new SandboxUnavailableError('The sandbox pool was closed');
    return new Promise<EvalResult>((resolve, reject) => {
      queue.push({ kind: engineKindFor(request.language), owner: options.owner, job, context, resolve, reject });
      dispatch();
    });
  }

  async function prepareJob(request: EvalRequest, started: number): Promise<{ job: RunJob; context: RunContext } | { result: EvalResult }> {
    const timeMs = request.limits?.time_ms ?? settings.defaultTimeMs;
    const memoryMb = request.limits?.memory_mb ?? settings.defaultMemoryMb;
    let argsWire: string[];
    try {
      argsWire = request.tests.map((test) => encodeWire(test.args));
    } catch (error) {
      throw new InvalidEvalRequestError(`test arguments must be JSON values: ${(error as Error).message}`);
    }
    let source = request.code;
    let originalLineOf: readonly number[] | undefined;
    if (request.language !== 'python') {
      if (RESERVED_WORDS.has(request.entrypoint)) {
        return {
          result: failedRunResult(request.tests, `entrypoint '${request.entrypoint}' is a reserved word`, performance.now() - started),
        };
      }
      const compiled = await compileJavaScript(request.language, request.code);
      if (!compiled.ok) return { result: failedRunResult(request.tests, compiled.message, performance.now() - started) };
      source = compiled.code;
      originalLineOf = compiled.originalLineOf;
    }
    const job: RunJob = {
      jobId: nextJobId++,
      language: request.language,
      source,
      entrypoint: request.entrypoint,
      argsWire,
      timeMs,
      memoryMb,
      maxStdoutBytes: settings.maxStdoutBytes,
      maxReturnBytes: MAX_RETURN_BYTES,
    };
    return {
      job,
      context: {
        tests: request.tests,
        stdoutTests: request.stdout_tests,
        timeMs,
        memoryMb,
        maxStdoutBytes: settings.maxStdoutBytes,
        originalLineOf,
      },
    };
  }

  function kindStats(kind: EngineKind): WorkerKindStats {
    const workers = [...kinds[kind].workers];
    return {
      total: workers.length,
      ready: workers.filter((worker) => worker.state === 'ready').length,
      busy: workers.filter((worker) => worker.state === 'busy').length,
      starting: workers.filter((worker) => worker.state === 'starting' || worker.state === 'preparing').length,
      pids: workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid])),
    };
  }

  function allWorkersReady(): boolean {
    return ENGINE_KINDS.every((kind) => {
      const workers = [...kinds[kind].workers];
      return workers.length >= settings.workers && workers.every((worker) => worker.state === 'ready');
    });
  }

  async function warmUp(): Promise<void> {
    await launcherReady;
    while (!allWorkersReady()) {
      if (closed) throw new SandboxUnavailableError('The sandbox pool was closed');
      const failing = ENGINE_KINDS.find((kind) => kinds[kind].consecutiveStartupFailures >= STARTUP_FAILURES_BEFORE_REJECTING);
      if (failing) throw new SandboxUnavailableError(`The ${failing} sandbox workers cannot start`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        for (const kind of ENGINE_KINDS) {
          kinds[kind].readyWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        }
      });
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    const closedError = new SandboxUnavailableError('The sandbox pool was closed');
    for (const queued of queue.splice(0)) queued.reject(closedError);
    const exits: Promise<void>[] = [];
    for (const kind of ENGINE_KINDS) {
      const state = kinds[kind];
      if (state.restartTimer) clearTimeout(state.restartTimer);
      for (const wake of state.readyWaiters.splice(0)) wake();
      for (const worker of state.workers) {
        exits.push(new Promise((resolve) => worker.onceDead(resolve)));
        worker.kill();
      }
    }
    await Promise.all(exits);
    const prepared = await launcherReady.catch(() => undefined);
    await prepared?.dispose();
  }

  function stats(): SandboxPoolStats {
    return {
      isolation: launcher?.isolation,
      isolationNote: launcher?.isolationNote ?? 'the pool is still probing the host',
      permissionModel: true,
      dropsPrivileges: launcher?.dropsPrivileges ?? false,
      workers: { quickjs: kindStats('quickjs'), pyodide: kindStats('pyodide') },
      queued: queue.length + compiling,
      running,
      ...counters,
    };
  }

  function languages(): LanguageInfo[] {
    return languageInfo.map((info) => ({ ...info }));
  }

  function defaultLimits() {
    return { time_ms: settings.defaultTimeMs, memory_mb: settings.defaultMemoryMb };
  }

  return { run, defaultLimits, languages, stats, warmUp, close };
}

/** One worker per engine per CPU this process may use, at most 8 (a Python worker holds ~250 MB). */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** An option left out takes its default; a bad one is refused rather than silently replaced. */
function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`sandbox pool option ${name} must be a positive integer, got ${value}`);
  return value;
}

/** Identifiers the wrapper cannot refer to, so they cannot name a JavaScript entrypoint. */
const RESERVED_WORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval module exports require'
  ).split(' '),
);

export type Language = 'javascript' | 'typescript' | 'python';

export type RunStatus = 'passed' | 'failed' | 'error' | 'timeout' | 'memory_limit' | 'output_limit';

export interface TestCase {
  args: unknown[];
  expected: unknown;
  name?: string;
}

export interface EvalLimits {
  time_ms?: number;
  memory_mb?: number;
}

export interface EvalRequest {
  language: Language;
  code: string;
  entrypoint: string;
  tests: TestCase[];
  limits?: EvalLimits;
  /** Only the output written up to the end of the first N tests is returned. */
  stdout_tests?: number;
  user_id?: number;
}

export interface TestResult {
  name: string;
  status: RunStatus;
  expected?: unknown;
  actual?: unknown;
  message?: string;
  duration_ms: number;
}

export interface EvalResult {
  status: RunStatus;
  passed: number;
  total: number;
  results: TestResult[];
  stdout: string;
  duration_ms: number;
  /** Set when the whole run failed before or around the tests (syntax error, missing entrypoint, crash). */
  message?: string;
}

export interface SandboxPoolOptions {
  /** Worker processes per language kind (QuickJS for JS/TS, Pyodide for Python). */
  workers?: number;
  /** Runs allowed to wait for a worker; one more is rejected with QueueFullError. */
  queueLimit?: number;
  defaultTimeMs?: number;
  defaultMemoryMb?: number;
  maxStdoutBytes?: number;
  /** A worker process is replaced after this many runs. */
  runsPerWorker?: number;
  /** Runs of one owner that may use workers of one kind at once (default: half the workers, at least 1). */
  runsPerOwner?: number;
}

export interface LanguageInfo {
  language: Language;
  version: string;
}

/** How worker processes are confined beyond the Node permission model. */
export type IsolationMode = 'bwrap' | 'unshare' | 'none';

export type EngineKind = 'quickjs' | 'pyodide';

export interface WorkerKindStats {
  total: number;
  ready: number;
  busy: number;
  starting: number;
  /** Process ids as the service sees them (the bubblewrap or unshare wrapper when confined). */
  pids: number[];
}

export interface SandboxPoolStats {
  /** Undefined until the pool has probed the host (see warmUp()). */
  isolation: IsolationMode | undefined;
  isolationNote: string;
  permissionModel: boolean;
  /** Workers run as an unprivileged uid because the service runs as root. */
  dropsPrivileges: boolean;
  workers: Record<EngineKind, WorkerKindStats>;
  queued: number;
  running: number;
  completedRuns: number;
  rejectedRuns: number;
  hardKills: number;
  workerCrashes: number;
  workersStarted: number;
  workersRecycled: number;
}

export interface RunOptions {
  /** Whose run this is (a user); runs of one owner beyond the per-owner limit wait for their own earlier runs. */
  owner?: string;
}

export interface SandboxPool {
  run(request: EvalRequest, options?: RunOptions): Promise<EvalResult>;
  /** The limits a run gets when it asks for none; public callers may only lower them. */
  defaultLimits(): Required<EvalLimits>;
  languages(): LanguageInfo[];
  stats(): SandboxPoolStats;
  /** Resolves once every worker has an interpreter loaded and is waiting for work. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export { compileJavaScript } from './compile-javascript.js';
export { InvalidEvalRequestError, QueueFullError, SandboxUnavailableError } from './errors.js';
export { jsonValuesEqual } from './json-equality.js';
export { createSandboxPool } from './sandbox-pool.js';
export { type EvalRequestInput, evalRequestSchema } from './schema.js';
export type {
  EngineKind,
  EvalLimits,
  EvalRequest,
  EvalResult,
  IsolationMode,
  Language,
  LanguageInfo,
  RunOptions,
  RunStatus,
  SandboxPool,
  SandboxPoolOptions,
  SandboxPoolStats,
  TestCase,
  TestResult,
  WorkerKindStats,
} from './types.js';

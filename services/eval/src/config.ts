import { extendConfig, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8083),
  /**
   * Worker processes per engine (QuickJS for JavaScript/TypeScript, Pyodide for Python). Unset: one
   * per CPU the process may use, at most 8 (a Python worker holds ~250 MB).
   */
  EVAL_WORKERS: z.coerce.number().int().min(1).max(32).optional(),
  /** Runs that may wait for a worker (at least 1); beyond it the answer is 503 with Retry-After. */
  EVAL_QUEUE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(32),
  /**
   * A worker process is replaced after this many runs. Runs do not accumulate state in a worker
   * (its engine is wiped after each), so this only bounds a leak in the worker itself; replacing a
   * Python worker costs seconds of CPU.
   */
  EVAL_RUNS_PER_WORKER: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
});

export type EvalConfig = z.infer<typeof configSchema>;

import { extendConfig, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

export const configSchema = extendConfig({
  PORT: portSchema(8083),
  /** Worker processes per engine (QuickJS for JavaScript/TypeScript, Pyodide for Python). */
  EVAL_WORKERS: z.coerce.number().int().min(1).max(32).default(2),
  /** Runs that may wait for a worker (at least 1); beyond it the answer is 503 with Retry-After. */
  EVAL_QUEUE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(32),
  /** A worker process is replaced after this many runs. */
  EVAL_RUNS_PER_WORKER: z.coerce.number().int().min(1).max(100_000).default(100),
});

export type EvalConfig = z.infer<typeof configSchema>;

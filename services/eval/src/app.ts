import { buildService, type ServiceApp } from '@codeyard/service-kit';
import type { JWTVerifyGetKey } from 'jose';
import type { EvalConfig } from './config.js';
import { registerEvalRoutes } from './routes/eval.js';
import { createSandboxPool, type SandboxPool } from './sandbox/index.js';

export async function buildApp(
  config: EvalConfig,
  overrides: { accessTokenKeys?: JWTVerifyGetKey } = {},
): Promise<{ app: ServiceApp; pool: SandboxPool }> {
  const pool = createSandboxPool({
    workers: config.EVAL_WORKERS,
    queueLimit: config.EVAL_QUEUE_LIMIT,
    runsPerWorker: config.EVAL_RUNS_PER_WORKER,
  });
  // Interpreters load before the first submission arrives, so no submission pays for it.
  const warm = pool.warmUp();
  warm.catch(() => undefined);
  const { app } = await buildService({
    name: 'eval',
    description: 'The sandbox: runs untrusted JavaScript, TypeScript and Python against data tests. Stateless.',
    config,
    ...(overrides.accessTokenKeys && { accessTokenKeys: overrides.accessTokenKeys }),
    readinessChecks: { sandbox: () => warm },
    processMetrics: config.NODE_ENV !== 'test',
  });
  app.addHook('onClose', async () => {
    await pool.close();
  });
  registerEvalRoutes(app, pool);
  return { app, pool };
}

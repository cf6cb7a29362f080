import { buildService, observeMetric, type ServiceApp } from '@codeyard/service-kit';
import type { JWTVerifyGetKey } from 'jose';
import type { EvalConfig } from './config.js';
import { LIMIT_RAISERS } from './domain/evaluate.js';
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
    trustedServices: LIMIT_RAISERS,
    readinessChecks: { sandbox: () => warm },
    processMetrics: config.NODE_ENV !== 'test',
  });
  app.addHook('onClose', async () => {
    await pool.close();
  });
  registerEvalRoutes(app, pool);
  observeSandboxPool(app.metrics, pool, config.EVAL_QUEUE_LIMIT);
  return { app, pool };
}

/** The sandbox queue and workers for Prometheus: the queue against its limit, and worker restarts. */
function observeSandboxPool(registry: ServiceApp['metrics'], pool: SandboxPool, queueLimit: number) {
  observeMetric(registry, {
    name: 'eval_queue_depth',
    help: 'Runs waiting for a sandbox worker (queued: now; limit: 503 from this many)',
    type: 'gauge',
    collect: () => [
      { labels: { kind: 'queued' }, value: pool.stats().queued },
      { labels: { kind: 'limit' }, value: queueLimit },
    ],
  });
  observeMetric(registry, {
    name: 'eval_runs_running',
    help: 'Runs executing in a sandbox worker now',
    type: 'gauge',
    collect: () => [{ value: pool.stats().running }],
  });
  observeMetric(registry, {
    name: 'eval_workers',
    help: 'Sandbox workers by engine and state',
    type: 'gauge',
    collect: () =>
      Object.entries(pool.stats().workers).flatMap(([engine, workers]) =>
        (['ready', 'busy', 'starting'] as const).map((state) => ({ labels: { engine, state }, value: workers[state] })),
      ),
  });
  const counters = [
    ['eval_worker_crashes_total', 'Sandbox workers that died unexpectedly (each one is restarted)', 'workerCrashes'],
    ['eval_worker_hard_kills_total', "Sandbox workers killed for overrunning a run's time or memory", 'hardKills'],
    ['eval_workers_started_total', 'Sandbox workers started (first start, restarts and recycling)', 'workersStarted'],
    ['eval_runs_rejected_total', 'Runs refused with 503 because the queue was full', 'rejectedRuns'],
    ['eval_runs_completed_total', 'Runs completed', 'completedRuns'],
  ] as const;
  for (const [name, help, key] of counters) {
    observeMetric(registry, { name, help, type: 'counter', collect: () => [{ value: pool.stats()[key] }] });
  }
}

import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (served at /metrics); add to it with `observeMetric`. */
    metrics: Registry;
  }
}

/** Per-app registry (several services can share a process in single-process mode). */
export function registerMetrics(app: FastifyInstance, service: string, options: { processMetrics: boolean }) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.decorate('metrics', registry);
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}

export interface ObservedValue {
  labels?: Record<string, string>;
  value: number;
}

/**
 * A metric whose values are read when Prometheus scrapes (a queue's length, a pool's counts, a
 * table's backlog), so nothing has to be kept up to date on the request path. `counter` is for
 * values that only grow (restarts since start); `gauge` for the rest.
 */
export function observeMetric(
  registry: Registry,
  metric: { name: string; help: string; type: 'gauge' | 'counter'; collect: () => ObservedValue[] | Promise<ObservedValue[]> },
): void {
  registry.registerMetric({
    name: metric.name,
    help: metric.help,
    type: metric.type,
    aggregator: 'sum',
    get: async () => ({
      name: metric.name,
      help: metric.help,
      type: metric.type,
      aggregator: 'sum',
      values: (await metric.collect()).map(({ labels = {}, value }) => ({ labels, value })),
    }),
    reset: () => undefined,
  } as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** PostgreSQL pool use: connections in use and idle, callers waiting for one, and the pool's size. */
export function observeDatabasePool(registry: Registry, poolStats: () => { total: number; idle: number; waiting: number; max: number }) {
  observeMetric(registry, {
    name: 'db_pool_connections',
    help: 'Database pool connections by state (in_use, idle) and the pool maximum (max)',
    type: 'gauge',
    collect: () => {
      const pool = poolStats();
      return [
        { labels: { state: 'in_use' }, value: pool.total - pool.idle },
        { labels: { state: 'idle' }, value: pool.idle },
        { labels: { state: 'max' }, value: pool.max },
      ];
    },
  });
  observeMetric(registry, {
    name: 'db_pool_waiting_requests',
    help: 'Queries waiting for a free database connection',
    type: 'gauge',
    collect: () => [{ value: poolStats().waiting }],
  });
}

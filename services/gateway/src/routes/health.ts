import type { ServiceApp } from '@codeyard/service-kit';
import { z } from 'zod';
import type { Upstream } from '../config.js';

const serviceHealth = z.object({ status: z.enum(['ok', 'unavailable']), latency_ms: z.number(), detail: z.string().optional() });
const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), services: z.record(z.string(), serviceHealth) });

/**
 * The gateway's own probes: `/ping` and `/ready` answer for the gateway process alone (it serves
 * JSON 503s for a service that is down, so it is ready whenever it runs); `/health` asks every service's `/ready` (database included) in parallel, each with a short timeout. */
export function registerHealth(app: ServiceApp, services: Upstream[]) {
  app.get(
    '/ping',
    { schema: { tags: ['health'], summary: 'Liveness ping', response: { 200: z.object({ status: z.literal('success'), message: z.literal('pong!') }) } } },
    async () => ({ status: 'success' as const, message: 'pong!' as const }),
  );
  app.get(
    '/ready',
    { schema: { tags: ['health'], summary: 'Readiness of the gateway itself', response: { 200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }) } } },
    async () => ({ status: 'ready' as const, checks: {} }),
  );
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Health of the gateway and every service (503 when any is unavailable)',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        services.map(async (upstream) => {
          const started = performance.now();
          try {
            const response = await fetch(new URL('/ready', upstream.url), { signal: AbortSignal.timeout(2_000) });
            const latency_ms = Math.round(performance.now() - started);
            return [
              upstream.service,
              response.ok
                ? { status: 'ok' as const, latency_ms }
                : { status: 'unavailable' as const, latency_ms, detail: `ready answered ${response.status}` },
            ] as const;
          } catch (error) {
            return [
              upstream.service,
              {
                status: 'unavailable' as const,
                latency_ms: Math.round(performance.now() - started),
                detail: error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable',
              },
            ] as const;
          }
        }),
      );
      const healthy = entries.every(([, health]) => health.status === 'ok');
      if (!healthy) reply.code(503).header('retry-after', '5');
      return { status: healthy ? ('ok' as const) : ('degraded' as const), services: Object.fromEntries(entries) };
    },
  );
}

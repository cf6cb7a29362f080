import proxy from '@fastify/http-proxy';
import { errorBody, sendError, type ServiceApp } from '@codeyard/service-kit';
import type { Upstream } from '../config.js';

/**
 * `/api/v1/<prefix>/…` → `<service>/<prefix>/…`. The request id and public prefix travel with the
 * request; an unreachable service is a JSON 503 with Retry-After, a hung one a JSON 504.
 */
export async function registerProxies(app: ServiceApp, services: Upstream[], timeoutMs: number) {
  for (const upstream of services) {
    for (const prefix of upstream.prefixes) {
      await app.register(proxy, {
        upstream: upstream.url,
        prefix: `/api/v1/${prefix}`,
        rewritePrefix: `/${prefix}`,
        // Services already answer with public Locations (`/api/v1/…`); rewriting would double it.
        internalRewriteLocationHeader: false,
        undici: { connections: 256, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
        replyOptions: {
          rewriteRequestHeaders: (request, headers) => ({
            ...headers,
            'x-request-id': request.id,
            'x-forwarded-prefix': '/api/v1',
          }),
          onError: (reply, { error }) => {
            const code = (error as Error & { code?: string }).code ?? '';
            const timedOut = /timeout/i.test(`${code} ${error.message}`);
            reply.log.warn({ err: error, upstream: upstream.service }, 'upstream failed');
            const status = timedOut ? 504 : 503;
            return sendError(
              reply as unknown as Parameters<typeof sendError>[0],
              status,
              errorBody(status, timedOut ? `The ${upstream.service} service did not answer in time` : `The ${upstream.service} service is unavailable`),
              { 'retry-after': '5' },
            );
          },
        },
      });
    }
  }
}

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { errorBody, sendError, type ServiceApp } from '@codeyard/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'undici';
import type { Upstream } from '../config.js';

const METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];
const PUBLIC_PREFIX = '/api/v1';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the gateway sets itself: never forwarded.
 * `host` is the upstream's, set by undici; `transfer-encoding` is undici's framing of the body.
 */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'http2-settings',
  'host',
  'x-request-id',
  'x-forwarded-prefix',
]);
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** Without a body a request can be sent again when a reused connection turns out to be closed. */
const RETRIABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * `/api/v1/<prefix>/…` → `<service>/<prefix>/…`, the path and query as they came (the gateway
 * has already refused anything but canonical paths). One connection pool per service; bodies
 * stream through unparsed both ways. The request id and public prefix travel with the request;
 * an unreachable service is a JSON 503 with Retry-After, a hung one a JSON 504.
 */
export async function registerProxies(app: ServiceApp, services: Upstream[], timeoutMs: number) {
  await app.register(async (scope) => {
    // The body is the raw request stream, whatever its type: the service parses and judges it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const upstream of services) {
      const pool = new Pool(upstream.url, {
        connections: 256,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        // Services keep idle connections 72 s (Fastify's default); the gateway lets them go well
        // before, so it never sends a request on a connection the service is closing.
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 30_000,
      });
      scope.addHook('onClose', async () => pool.close());
      const handler = (request: FastifyRequest, reply: FastifyReply) => forward(pool, upstream, request, reply);
      for (const prefix of upstream.prefixes) {
        scope.route({ method: METHODS, url: `${PUBLIC_PREFIX}/${prefix}`, handler });
        scope.route({ method: METHODS, url: `${PUBLIC_PREFIX}/${prefix}/*`, handler });
      }
    }
  });
}

function forward(pool: Pool, upstream: Upstream, request: FastifyRequest, reply: FastifyReply, retried = false): Promise<FastifyReply> | FastifyReply {
  const body = request.body as Readable | undefined;
  return pool
    .request({
      method: request.method as 'GET',
      path: request.url.slice(PUBLIC_PREFIX.length),
      headers: forwardedHeaders(request),
      body: body ?? null,
    })
    .then(
      (response) => {
        if (request.raw.socket?.destroyed) {
          // The client went away while the service answered. (The request stream itself is
          // destroyed as soon as its body has been read, so it cannot tell.)
          void response.body.dump();
          return reply;
        }
        reply.code(response.statusCode);
        const headers = response.headers;
        for (const name in headers) {
          if (!NOT_RETURNED.has(name)) reply.header(name, headers[name] as string | string[]);
        }
        // An HTTP/1 connection cannot take the next request before this one's body has been read.
        if (!request.raw.complete) reply.header('connection', 'close');
        return reply.send(response.body);
      },
      (error: Error & { code?: string }) => {
        if (!retried && body === undefined && RETRIABLE_METHODS.has(request.method) && STALE_CONNECTION.has(error.code ?? '')) {
          return forward(pool, upstream, request, reply, true);
        }
        const timedOut = /timeout/i.test(`${error.code ?? ''} ${error.message}`);
        reply.log.warn({ err: error, upstream: upstream.service }, 'upstream failed');
        const status = timedOut ? 504 : 503;
        const message = timedOut ? `The ${upstream.service} service did not answer in time` : `The ${upstream.service} service is unavailable`;
        return sendError(reply, status, errorBody(status, message), { 'retry-after': '5' });
      },
    );
}

/** The client's headers without hop-by-hop ones, plus the request id and the public prefix. */
function forwardedHeaders(request: FastifyRequest): IncomingHttpHeaders {
  const incoming = request.headers;
  const headers: IncomingHttpHeaders = {};
  const connection = incoming.connection;
  const listed = connection ? connection.toLowerCase().split(',').map((name) => name.trim()) : undefined;
  for (const name in incoming) {
    if (NOT_FORWARDED.has(name) || listed?.includes(name)) continue;
    // Fastify reads no body for GET and HEAD, so none is sent on, and no length for one either.
    if (name === 'content-length' && request.body === undefined) continue;
    headers[name] = incoming[name];
  }
  headers['x-request-id'] = request.id;
  headers['x-forwarded-prefix'] = PUBLIC_PREFIX;
  return headers;
}

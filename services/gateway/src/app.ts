import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { AppError, createFastify, registerMetrics, type ServiceApp } from '@codeyard/service-kit';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { GatewayConfig } from './config.js';
import { upstreams } from './config.js';
import { registerDocs } from './routes/docs.js';
import { registerHealth } from './routes/health.js';
import { registerProxies } from './routes/proxy.js';
import { SECURITY_HEADERS } from './security-headers.js';

const PLACEHOLDER_DIR = fileURLToPath(new URL('../public', import.meta.url));

/**
 * API paths may hold only unreserved characters, in segments that are not `.` or `..`. The
 * services decode what the gateway routes on, so `/auth/%6Cogin` would reach login while counting
 * in another bucket; no public path needs an encoded character, so it is refused, not decoded.
 */
const CANONICAL_API_PATH = /^\/api(\/(?!\.\.?(\/|$))[A-Za-z0-9._~-]+)*\/?$/;
export const isCanonicalApiPath = (path: string) => CANONICAL_API_PATH.test(path);

export type RateBucket = 'login' | 'register' | 'eval' | 'default';

/** Which rate-limit bucket a request counts against, by the route it reaches. */
export function rateBucket(method: string, path: string): RateBucket {
  if (method === 'POST') {
    if (path === '/api/v1/auth/login' || path === '/api/v1/auth/refresh') return 'login';
    if (path === '/api/v1/auth/register') return 'register';
    if (path === '/api/v1/eval' || /^\/api\/v1\/exercises\/[^/]+\/submissions$/.test(path)) return 'eval';
  }
  return 'default';
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';
const bucketOf = (request: FastifyRequest): RateBucket => (request.method === 'POST' ? rateBucket('POST', pathOf(request)) : 'default');
const NOT_RATE_LIMITED = new Set(['/health', '/ready', '/ping', '/metrics']);

/** Settings @fastify/rate-limit recommends: fail fast instead of queueing requests behind a dead Redis. */
function rateLimitRedis(url: string) {
  return new Redis(url, { connectTimeout: 500, maxRetriesPerRequest: 1 });
}

export async function buildApp(config: GatewayConfig): Promise<{ app: ServiceApp }> {
  const app = createFastify({
    name: 'gateway',
    config,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Browser routes of the single-page client get index.html; API paths stay JSON 404s.
    notFoundFallback: (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const wantsPage = request.method === 'GET' && !path.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
      return wantsPage ? reply.sendFile('index.html') : undefined;
    },
  });
  const services = upstreams(config);

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('x-request-id', request.id);
    // Proxied bodies stream through unparsed, so the size limit is checked here, before any of
    // it is sent on: a 413 from the gateway instead of a connection cut mid-upload.
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > config.BODY_LIMIT_BYTES) throw new AppError(413, 'Request body is too large');
    const path = pathOf(request);
    if (path.startsWith('/api/') && !isCanonicalApiPath(path)) {
      throw new AppError(400, 'API paths may contain only letters, digits and - . _ ~ (no percent-encoding, no . or .. segments)');
    }
  });

  const allowedOrigins = config.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean);
  await app.register(cors, {
    origin: allowedOrigins.length > 0 ? allowedOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-codeyard-csrf', 'x-request-id'],
    exposedHeaders: ['link', 'location', 'retry-after', 'x-request-id'],
    maxAge: 600,
  });

  const limits = {
    login: config.RATE_LIMIT_LOGIN,
    register: config.RATE_LIMIT_REGISTER,
    eval: config.RATE_LIMIT_EVAL,
    default: config.RATE_LIMIT_DEFAULT,
  };
  const redis = config.REDIS_URL ? rateLimitRedis(config.REDIS_URL) : undefined;
  if (redis) {
    redis.on('error', (error: Error) => app.log.warn({ err: error }, 'rate-limit Redis unavailable: requests are not rate limited until it is back'));
    app.addHook('onClose', async () => redis.disconnect());
  }
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    // Shared by every gateway replica when REDIS_URL is set; in memory (per process) otherwise.
    // A Redis outage lets requests through (logged) rather than failing them with a 500.
    ...(redis && { redis, nameSpace: 'codeyard-rate-limit:', skipOnError: true }),
    keyGenerator: (request) => `${bucketOf(request)}:${request.ip}`,
    max: (request) => limits[bucketOf(request)],
    allowList: (request) => NOT_RATE_LIMITED.has(request.url),
    errorResponseBuilder: (request, context) => {
      const bucket = bucketOf(request);
      const error = new Error(`Too many ${bucket === 'default' ? '' : `${bucket} `}requests; try again in ${Math.ceil(context.ttl / 1000)} s`);
      return Object.assign(error, { statusCode: 429 });
    },
  });

  registerHealth(app, services);
  registerMetrics(app, 'gateway', { processMetrics: config.NODE_ENV !== 'test' });
  await registerDocs(app, services);
  await registerProxies(app, services, config.UPSTREAM_TIMEOUT_MS);

  const webDir = config.WEB_DIR ? resolve(config.WEB_DIR) : undefined;
  const root = webDir && existsSync(resolve(webDir, 'index.html')) ? webDir : PLACEHOLDER_DIR;
  const assetsDir = resolve(root, 'assets') + sep;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // Vite names every file under assets/ by its content hash, so a browser may keep it for good;
    // everything else (index.html, also as the history fallback) is revalidated on each load, so
    // a new build is picked up at once.
    cacheControl: false,
    setHeaders: (response, path) => {
      response.setHeader('cache-control', path.startsWith(assetsDir) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  return { app };
}

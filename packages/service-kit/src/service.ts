import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RawServerDefault,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import FindMyWay from 'find-my-way';
import type { JWTVerifyGetKey } from 'jose';
import type { Kysely, Migration } from 'kysely';
import secureJson from 'secure-json-parse';
import { z } from 'zod';
import { type Actor, createTokenVerifier, remoteJwks, type UserActor } from './auth.js';
import type { CommonConfig } from './config.js';
import { type Database, defaultDatabaseUrl, openDatabase } from './db.js';
import { AppError, badRequest, type ErrorBody, errorBody } from './errors.js';
import { observeDatabasePool, registerMetrics } from './metrics.js';
import { startRevocationList } from './revocations.js';
import { trustedServiceKeys } from './secrets.js';

export type ServiceApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolves the caller from the Bearer token once, on first use; see `actorOf`. */
    resolveActor: () => Promise<Actor | null>;
  }
}

export const errorBodySchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'Error' });

export interface ServiceOptions {
  /** Short name: "users", "posts", … (log field, metrics label, default database file). */
  name: string;
  description: string;
  version?: string;
  config: CommonConfig;
  /** The service's numbered migrations; omit for a service without a database (eval, gateway). */
  migrations?: Record<string, Migration>;
  /** Where access-token keys come from; default: the users service's JWKS (USERS_URL). */
  accessTokenKeys?: JWTVerifyGetKey;
  /**
   * Services whose credentials this one accepts (the callers its internal endpoints allow-list);
   * their public keys come from SERVICE_PUBLIC_KEYS. Default: none, every service credential is refused.
   */
  trustedServices?: readonly string[];
  /** Extra check after a user token verifies (users: account still active, token not revoked). */
  afterAuthenticate?: (actor: UserActor) => Promise<void>;
  /** Named dependency checks for /ready, besides the database. */
  readinessChecks?: Record<string, () => Promise<void>>;
  /** Prometheus process metrics (off in tests, where many apps share one process). */
  processMetrics?: boolean;
}

export interface Service<DB> {
  app: ServiceApp;
  /** Present when `migrations` were given. */
  database: Database<DB> | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Builds a Fastify service with everything Codeyard's services share: validated JSON in and out,
 * the contract's error shape (never HTML), request ids, auth, health/ready/ping, metrics,
 * OpenAPI, and the database with migrations applied. The caller adds its routes and listens.
 */
export async function buildService<DB>(options: ServiceOptions): Promise<Service<DB>> {
  const { config } = options;
  const database = options.migrations
    ? await openDatabase<DB>({
        url: config.DATABASE_URL ?? defaultDatabaseUrl(config.DATA_DIR, options.name),
        schema: config.DATABASE_SCHEMA,
        migrations: options.migrations,
      })
    : undefined;

  const app = createFastify({ name: options.name, config });
  installJsonBodyParser(app);

  if (database) {
    app.addHook('onClose', async () => {
      await database.close();
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `Codeyard ${options.name} service`, description: options.description, version: options.version ?? '0.1.0' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // users checks its own database (afterAuthenticate); every other service the list users publishes.
  const revocations =
    options.afterAuthenticate === undefined && config.REVOCATION_POLL_MS > 0
      ? startRevocationList({ usersUrl: config.USERS_URL, intervalMs: config.REVOCATION_POLL_MS, logger: app.log })
      : undefined;
  if (revocations) app.addHook('onClose', async () => revocations.stop());
  const afterAuthenticate = options.afterAuthenticate ?? (revocations && (async (actor: UserActor) => revocations.check(actor)));
  const verifyToken = createTokenVerifier({
    accessTokenKeys: options.accessTokenKeys ?? remoteJwks(config.USERS_URL),
    serviceKeys: trustedServiceKeys(config, options.trustedServices ?? []),
  });
  // The caller is resolved lazily: only a route that asks (`await actorOf(request)`) reads the
  // Authorization header, so a stale token cannot break a public route such as login or refresh.
  app.decorateRequest('resolveActor', noActor);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    let resolved: Promise<Actor | null> | undefined;
    request.resolveActor = () => {
      resolved ??= (async () => {
        const actor = await verifyToken(request.headers.authorization);
        if (actor?.kind === 'user' && afterAuthenticate) await afterAuthenticate(actor);
        return actor;
      })();
      return resolved;
    };
  });

  const metrics = registerMetrics(app, options.name, { processMetrics: options.processMetrics ?? false });
  if (database?.poolStats) observeDatabasePool(metrics, database.poolStats);
  registerProbes(app, options, database);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return { app, database };
}

/**
 * The Fastify instance every Codeyard process starts from (services and the gateway): JSON logs
 * with the request id, validated bodies via zod, and the contract's JSON errors, 404 and 405.
 */
export function createFastify(options: {
  name: string;
  config: CommonConfig;
  bodyLimit?: number;
  /** Answers a request no route matched before the JSON 404/405 (the gateway's web client pages). */
  notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
}): ServiceApp {
  const { config } = options;
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      base: { service: options.name },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: options.bodyLimit ?? config.BODY_LIMIT_BYTES,
    // A hop count trusts that many proxies nearest to us (Fastify's types omit the number form).
    trustProxy: typeof config.TRUST_PROXY === 'number' ? trustHops(config.TRUST_PROXY) : config.TRUST_PROXY,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 200 },
    logController: new AccessLog(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, options.notFoundFallback);
  return app;
}

/**
 * One access line per request, written when it is answered (Fastify's default is two: incoming
 * and completed, each serialising the request or reply object). Errors keep Fastify's own lines.
 */
/**
 * The caller's address for the access line, or none once the connection is gone: with
 * `trustProxy`, Fastify's `request.ip` reads `request.raw.socket.remoteAddress`, and the socket can
 * be detached by the time the line is written (seen on the VM layout behind Caddy: both gateways
 * exited with "Cannot read properties of null (reading 'remoteAddress')" in this logger).
 */
function clientIp(request: FastifyRequest): string | undefined {
  if (!request.raw.socket) return undefined;
  try {
    return request.ip;
  } catch {
    return undefined;
  }
}

class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime, ip: clientIp(request) };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

function registerProbes(app: ServiceApp, options: ServiceOptions, database: Database<any> | undefined) {
  const tags = ['health'];
  app.get(
    '/ping',
    { schema: { tags, summary: 'Liveness ping', response: { 200: z.object({ status: z.literal('success'), message: z.literal('pong!') }) } } },
    async () => ({ status: 'success' as const, message: 'pong!' as const }),
  );
  app.get(
    '/health',
    { schema: { tags, summary: 'Liveness: the process is up', response: { 200: z.object({ status: z.literal('ok'), service: z.string(), uptime_s: z.number() }) } } },
    async () => ({ status: 'ok' as const, service: options.name, uptime_s: Math.round(process.uptime()) }),
  );
  const checks: Record<string, () => Promise<void>> = { ...options.readinessChecks };
  if (database) checks.database = () => database.ping();
  const readySchema = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.string()) });
  app.get(
    '/ready',
    { schema: { tags, summary: 'Readiness: database and dependencies answer', response: { 200: readySchema, 503: readySchema } } },
    async (_request, reply) => {
      const results: Record<string, string> = {};
      let ok = true;
      for (const [name, check] of Object.entries(checks)) {
        try {
          await check();
          results[name] = 'ok';
        } catch (error) {
          ok = false;
          // The reason goes to the log only: /ready is public, and error text can name hosts, users or files.
          app.log.warn({ err: error, check: name }, 'readiness check failed');
          results[name] = 'unavailable';
        }
      }
      if (!ok) reply.code(503).header('retry-after', '5');
      return { status: ok ? ('ready' as const) : ('unavailable' as const), checks: results };
    },
  );
}

/** A NUL character, or half of a UTF-16 surrogate pair without its other half. */
const UNSAFE_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string (key or value) in a parsed JSON value, query or params that no database should store. */
function findUnsafeText(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSAFE_TEXT.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (UNSAFE_TEXT.test(key)) return at;
    const found = findUnsafeText(item, at, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * JSON in UTF-8 is the only body we accept (`application/json`, optionally `charset=utf-8`);
 * other types and charsets match no parser and are 415, bytes that are not UTF-8 and text that no database can store
 * (NUL, unpaired surrogates — Postgres refuses both) are 400. An empty body is "no body".
 */
function installJsonBodyParser(app: ServiceApp) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i, { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new AppError(400, 'Request body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(new AppError(400, 'Request body is not valid JSON'), undefined);
    }
    const unsafe = findUnsafeText(parsed, '');
    if (unsafe !== undefined) {
      return done(badRequest('Request body has text that cannot be stored', { [unsafe || 'body']: UNSAFE_TEXT_MESSAGE }), undefined);
    }
    done(null, parsed);
  });
  // Query strings and path parameters reach the database too.
  app.addHook('preValidation', async (request) => {
    for (const part of [request.params, request.query]) {
      const unsafe = findUnsafeText(part, '');
      if (unsafe !== undefined) throw badRequest('Request has text that cannot be stored', { [unsafe]: UNSAFE_TEXT_MESSAGE });
    }
  });
}

const UNKNOWN_ROUTE_PREFIX = 'Route ';

/**
 * True for a 404 body that says the *route* does not exist (a caller pointed at the wrong
 * service), as opposed to an object that does not exist: only the latter is an answer.
 */
export function isUnknownRouteAnswer(body: unknown): boolean {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.startsWith(UNKNOWN_ROUTE_PREFIX) && message.endsWith(' does not exist');
}

function installErrorHandling(
  app: ServiceApp,
  notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined,
) {
  // A shadow router of every registered route lets an unknown method on a known path be a 405.
  const known = FindMyWay();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      try {
        known.on(method as 'GET', route.url, () => undefined);
      } catch {
        // the same path registered twice with different constraints: already known
      }
    }
    route.schema ??= {};
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    if (!route.schema.hide && !('4XX' in response)) response['4XX'] = errorBodySchema;
    route.schema.response = response;
  });

  app.setNotFoundHandler((request, reply) => {
    const fallback = notFoundFallback?.(request, reply);
    if (fallback) return fallback;
    const path = request.url.split('?')[0] ?? '/';
    const prefix = request.headers['x-forwarded-prefix'];
    const publicPath = typeof prefix === 'string' && /^\/[\w/-]*$/.test(prefix) ? `${prefix.replace(/\/$/, '')}${path}` : path;
    const allowed = METHODS.filter((method) => method !== request.method && known.find(method, path));
    if (allowed.length > 0 && request.method !== 'OPTIONS') {
      const allow = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
      return sendError(reply, 405, errorBody(405, `Method ${request.method} is not allowed on ${publicPath}`), {
        allow: allow.join(', '),
      });
    }
    return sendError(reply, 404, errorBody(404, `${UNKNOWN_ROUTE_PREFIX}${request.method} ${publicPath} does not exist`));
  });

  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    const { statusCode, body, headers } = toErrorResponse(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ statusCode, message: body.message }, 'request rejected');
    return sendError(reply, statusCode, body, headers);
  });
}

export function sendError(reply: FastifyReply, statusCode: number, body: ErrorBody, headers: Record<string, string> = {}) {
  return reply
    .code(statusCode)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(body);
}

function fieldName(instancePath: string | undefined, context: string | undefined): string {
  const path = (instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  return path || context || 'body';
}

function toErrorResponse(error: FastifyError | AppError | Error): {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (error instanceof AppError) {
    return { statusCode: error.statusCode, body: errorBody(error.statusCode, error.message, error.errors), headers: error.headers };
  }
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fastifyError) || Array.isArray(fastifyError.validation)) {
    const errors: Record<string, string> = {};
    for (const issue of fastifyError.validation ?? []) {
      const field = fieldName(issue.instancePath, fastifyError.validationContext);
      errors[field] ??= issue.message ?? 'is invalid';
    }
    const where = fastifyError.validationContext === 'querystring' ? 'query' : (fastifyError.validationContext ?? 'request');
    return { statusCode: 400, body: errorBody(400, `Invalid ${where}`, errors), headers: {} };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { statusCode: 413, body: errorBody(413, 'Request body is too large'), headers: {} };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        statusCode: 415,
        body: errorBody(415, 'Request body must be JSON in UTF-8 (Content-Type: application/json)'),
        headers: {},
      };
  }
  const status = fastifyError.statusCode;
  // Fastify's own 4xx errors (bad content length, malformed URL, …) carry safe messages.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, body: errorBody(status, fastifyError.message), headers: {} };
  }
  return {
    statusCode: 500,
    body: errorBody(500, 'Something went wrong on our side; the request id in x-request-id helps us find it'),
    headers: {},
  };
}

const noActor = async (): Promise<Actor | null> => null;

/**
 * Who is calling: the verified Bearer token's actor, or null without one; a bad, expired or
 * revoked token is a 401 here. Routes call it only where they need the caller.
 */
export const actorOf = (request: FastifyRequest): Promise<Actor | null> => request.resolveActor();

/** Sets `Location` (under the public /api/v1 prefix) and 201 for a created object. */
export function created(reply: FastifyReply, location: string) {
  reply.code(201).header('location', `/api/v1${location}`);
}

export type { Kysely };

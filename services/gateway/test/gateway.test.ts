import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@codeyard/service-kit';
import { testEnv } from '@codeyard/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, isCanonicalApiPath, rateBucket } from '../src/app.js';
import { configSchema } from '../src/config.js';

/** A stand-in service that echoes what reached it. */
async function echoService(name: string): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify();
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  server.post('/posts', async (_request, reply) => {
    reply.code(201).header('location', '/api/v1/posts/7');
    return { id: 7 };
  });
  server.all('/*', async (request) => ({
    service: name,
    method: request.method,
    url: request.url,
    requestId: request.headers['x-request-id'],
    prefix: request.headers['x-forwarded-prefix'],
    body: request.body ?? null,
    headers: request.headers,
  }));
  server.get('/ready', async () => ({ status: 'ready', checks: {} }));
  server.get('/openapi.json', async () => ({
    openapi: '3.1.0',
    info: { title: name, version: '1' },
    paths: { [`/${name === 'users' ? 'auth' : name}/thing`]: { get: { summary: `${name} thing` } }, '/ping': { get: {} } },
  }));
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url };
}

describe('gateway', () => {
  let upstreams: Array<{ server: FastifyInstance; url: string }>;
  let app: Awaited<ReturnType<typeof buildApp>>['app'];
  let strict: Awaited<ReturnType<typeof buildApp>>['app'];

  beforeAll(async () => {
    const users = await echoService('users');
    const posts = await echoService('posts');
    upstreams = [users, posts];
    const env = testEnv({
      USERS_URL: users.url,
      POSTS_URL: posts.url,
      // nothing listens on port 9: these services are "down"
      EXERCISES_URL: 'http://127.0.0.1:9',
      EVAL_URL: 'http://127.0.0.1:9',
      SCORES_URL: 'http://127.0.0.1:9',
      VOTES_URL: 'http://127.0.0.1:9',
      MESSAGES_URL: 'http://127.0.0.1:9',
    });
    ({ app } = await buildApp(loadConfig(configSchema, env)));
    ({ app: strict } = await buildApp(loadConfig(configSchema, { ...env, RATE_LIMIT_LOGIN: '3', RATE_LIMIT_DEFAULT: '5' })));
  });
  afterAll(async () => {
    await app.close();
    await strict.close();
    await Promise.all(upstreams.map(({ server }) => server.close()));
  });

  it('routes /api/v1/<prefix>/… to the owning service with the path kept', async () => {
    const auth = await app.inject({ method: 'GET', url: '/api/v1/auth/status?x=1' });
    expect(auth.json()).toMatchObject({ service: 'users', url: '/auth/status?x=1', prefix: '/api/v1' });
    const community = await app.inject({ method: 'GET', url: '/api/v1/communities/rust/posts' });
    expect(community.json()).toMatchObject({ service: 'posts', url: '/communities/rust/posts' });
    const exact = await app.inject({ method: 'GET', url: '/api/v1/posts' });
    expect(exact.json()).toMatchObject({ service: 'posts', url: '/posts' });
  });

  it('keeps the Location a service gives a created object', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/posts', payload: { title: 'x' } });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe('/api/v1/posts/7');
  });

  it('passes the JSON body through untouched', async () => {
    const response = await app.inject({ method: 'PUT', url: '/api/v1/posts/3', payload: { title: 'hi', n: 1 } });
    expect(JSON.parse(response.json().body)).toEqual({ title: 'hi', n: 1 });
  });

  it('generates a request id, sends it to the service and returns it', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/users/1' });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json().requestId).toBe(id);
  });

  it('keeps a well-formed incoming request id and replaces a malformed one', async () => {
    const kept = await app.inject({ method: 'GET', url: '/api/v1/users/1', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(kept.headers['x-request-id']).toBe('trace-abc.123');
    expect(kept.json().requestId).toBe('trace-abc.123');
    const replaced = await app.inject({ method: 'GET', url: '/api/v1/users/1', headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id <script>');
  });

  it('answers unknown API routes with a JSON 404, never HTML', async () => {
    for (const url of ['/api/v1/nothing-here', '/api/v2/users', '/api/v1']) {
      const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });

  it('answers a wrong method on a gateway route with a JSON 405 and Allow', async () => {
    const response = await app.inject({ method: 'POST', url: '/health' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toContain('GET');
    expect(response.json()).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
  });

  it('passes the query string as it came and drops hop-by-hop headers, also those the Connection header names', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/posts/search?a=1&a=2&b&c=%20x',
      headers: { connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'x-end-to-end': 'kept' },
    });
    const seen = response.json();
    expect(seen.url).toBe('/posts/search?a=1&a=2&b&c=%20x');
    expect(seen.headers['x-hop']).toBeUndefined();
    expect(seen.headers['x-end-to-end']).toBe('kept');
    expect(seen.headers.host).toBe(new URL(upstreams[1]?.url ?? '').host);
  });

  it('sends the security headers on proxied answers and on its own errors', async () => {
    for (const url of ['/api/v1/posts/1', '/api/v1/votes/top', '/api/v1/auth/%6Cogin']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('refuses a body over the limit with a JSON 413 before any of it reaches the service', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/posts',
      headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) },
      payload: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, message: 'Request body is too large' });
  });

  it('answers 503 with Retry-After in JSON when a service is down', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/votes/top' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'The votes service is unavailable' });
  });

  it('reports every service in /health and 503 when one is down', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    const health = response.json();
    expect(health.status).toBe('degraded');
    expect(health.services.users.status).toBe('ok');
    expect(health.services.votes.status).toBe('unavailable');
    expect(Object.keys(health.services).sort()).toEqual(['eval', 'exercises', 'messages', 'posts', 'scores', 'users', 'votes']);
  });

  it('has its own ping, ready and metrics', async () => {
    expect((await app.inject({ method: 'GET', url: '/ping' })).json()).toEqual({ status: 'success', message: 'pong!' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/api/v1/posts' });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('http_requests_total{method="GET"');
  });

  it('merges the services’ OpenAPI documents under /api/v1 and serves the docs page', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(spec.paths).sort()).toEqual(['/api/v1/auth/thing', '/api/v1/posts/thing']);
    expect(spec.info.description).toMatch(/Not reachable right now.*votes/);
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui-bundle.js');
    const bundle = await app.inject({ method: 'GET', url: '/docs/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });

  it('serves the web client at / with security headers, and index.html for browser routes', async () => {
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Codeyard');
    expect(home.headers['content-security-policy']).toContain("default-src 'self'");
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    const deepLink = await app.inject({ method: 'GET', url: '/exercises/3', headers: { accept: 'text/html' } });
    expect(deepLink.statusCode).toBe(200);
    expect(deepLink.body).toContain('<!doctype html>');
  });

  it('lets browsers keep hashed assets for a year and revalidate index.html, also as the history fallback', async () => {
    const web = mkdtempSync(join(tmpdir(), 'codeyard-web-'));
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Codeyard</title><script src="/assets/index-AbC123.js"></script>');
    writeFileSync(join(web, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const { app: served } = await buildApp(loadConfig(configSchema, testEnv({ WEB_DIR: web })));
    try {
      const asset = await served.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      for (const request of [
        { url: '/' },
        { url: '/index.html' },
        { url: '/exercises/3', headers: { accept: 'text/html' } },
        { url: '/favicon.svg' },
      ]) {
        const response = await served.inject({ method: 'GET', ...request });
        expect(response.statusCode, request.url).toBe(200);
        expect(response.headers['cache-control'], request.url).toBe('no-cache');
      }
      expect((await served.inject({ method: 'GET', url: '/exercises/3', headers: { accept: 'text/html' } })).body).toContain('Codeyard');
      // a missing asset is a 404, never index.html kept for a year
      const missing = await served.inject({ method: 'GET', url: '/assets/gone-123.js' });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['cache-control'] ?? '').not.toContain('immutable');
    } finally {
      await served.close();
      rmSync(web, { recursive: true, force: true });
    }
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/posts',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const denied = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/posts',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('rate limits login strictly with a JSON 429 and Retry-After, separately from other calls', async () => {
    const login = () => strict.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {}, remoteAddress: '10.1.1.1' });
    for (let i = 0; i < 3; i++) expect((await login()).statusCode).toBe(200);
    const limited = await login();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // the default bucket of the same client is still open
    const other = await strict.inject({ method: 'GET', url: '/api/v1/posts', remoteAddress: '10.1.1.1' });
    expect(other.statusCode).toBe(200);
    // another client is unaffected
    const stranger = await strict.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {}, remoteAddress: '10.9.9.9' });
    expect(stranger.statusCode).toBe(200);
  });

  it('refuses percent-encoded and dot segments in API paths (400) so no request reaches login or grading from another bucket', async () => {
    for (const url of ['/api/v1/auth/%6Cogin', '/api/v1/exercises/1/%73ubmissions', '/api/v1/auth/log%69n?x=1', '/api/v1/users/%31']) {
      const response = await strict.inject({ method: 'POST', url, payload: {}, remoteAddress: '10.2.2.2' });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400, message: expect.stringMatching(/percent-encoding/) });
    }
    // the client's login bucket is untouched by all of that, and still closes after 3
    const login = () => strict.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {}, remoteAddress: '10.2.2.2' });
    for (let i = 0; i < 3; i++) expect((await login()).statusCode).toBe(200);
    expect((await login()).statusCode).toBe(429);
    // web client paths outside /api are not affected
    expect((await app.inject({ method: 'GET', url: '/exercises/%31', headers: { accept: 'text/html' } })).statusCode).toBe(200);
  });

  it('accepts only canonical API paths (inject resolves dot segments itself, so they are checked here)', () => {
    for (const path of ['/api/v1/auth/login', '/api/v1/.well-known/jwks.json', '/api/v1/communities/rust_lang/posts', '/api/v1/posts/', '/api']) {
      expect(isCanonicalApiPath(path), path).toBe(true);
    }
    for (const path of ['/api/v1/auth/%6Cogin', '/api/v1/users/../auth/login', '/api/v1/auth/./login', '/api/v1//auth/login', '/api/v1/auth/login;x', '/api/v1/users/..']) {
      expect(isCanonicalApiPath(path), path).toBe(false);
    }
  });

  it('counts login, refresh, register and grading by the route they reach', () => {
    expect(rateBucket('POST', '/api/v1/auth/login')).toBe('login');
    expect(rateBucket('POST', '/api/v1/auth/refresh')).toBe('login');
    expect(rateBucket('POST', '/api/v1/auth/register')).toBe('register');
    expect(rateBucket('POST', '/api/v1/exercises/12/submissions')).toBe('eval');
    expect(rateBucket('POST', '/api/v1/eval')).toBe('eval');
    expect(rateBucket('GET', '/api/v1/auth/login')).toBe('default');
  });

  describe('behind a proxy', () => {
    const gateways: Array<Awaited<ReturnType<typeof buildApp>>['app']> = [];
    afterAll(() => Promise.all(gateways.map((gateway) => gateway.close())));
    async function gatewayWith(env: Record<string, string>) {
      const { app: gateway } = await buildApp(
        loadConfig(configSchema, testEnv({ USERS_URL: upstreams[0]?.url ?? '', POSTS_URL: upstreams[1]?.url ?? '', RATE_LIMIT_LOGIN: '3', ...env })),
      );
      gateways.push(gateway);
      return gateway;
    }
    const tag = () => Math.floor(Math.random() * 250) + 1;

    it.each([['a hop count', '1'], ['the proxy address', '10.0.0.0/8']])(
      'with TRUST_PROXY as %s, a client cannot pick a new bucket by forging X-Forwarded-For',
      async (_label, trust) => {
        const gateway = await gatewayWith({ TRUST_PROXY: trust });
        const client = `203.0.113.${tag()}`;
        const login = (forged: string) =>
          gateway.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: {},
            remoteAddress: '10.0.0.7',
            headers: { 'x-forwarded-for': `${forged}, ${client}` },
          });
        for (let i = 0; i < 3; i++) expect((await login(`198.51.100.${i}`)).statusCode).toBe(200);
        expect((await login('198.51.100.99')).statusCode).toBe(429);
        // another real client behind the same proxy has its own bucket
        const other = await gateway.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: {},
          remoteAddress: '10.0.0.7',
          headers: { 'x-forwarded-for': `203.0.113.${(Number(client.split('.')[3]) % 250) + 1}` },
        });
        expect(other.statusCode).toBe(200);
      },
    );

    it('ignores X-Forwarded-For from an address that is not a trusted proxy', async () => {
      const gateway = await gatewayWith({ TRUST_PROXY: '10.0.0.0/8' });
      const login = (forged: string) =>
        gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {}, remoteAddress: '192.0.2.44', headers: { 'x-forwarded-for': forged } });
      for (let i = 0; i < 3; i++) expect((await login(`198.51.100.${i}`)).statusCode).toBe(200);
      expect((await login('198.51.100.77')).statusCode).toBe(429);
    });

    describe.runIf(process.env.TEST_REDIS_URL)('with REDIS_URL', () => {
      it('holds one limit across two gateway replicas', async () => {
        const env = { REDIS_URL: process.env.TEST_REDIS_URL ?? '' };
        const [first, second] = [await gatewayWith(env), await gatewayWith(env)];
        const client = `198.18.${tag()}.${tag()}`;
        const login = (gateway: typeof first) => gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {}, remoteAddress: client });
        expect((await login(first)).statusCode).toBe(200);
        expect((await login(second)).statusCode).toBe(200);
        expect((await login(first)).statusCode).toBe(200);
        const limited = await login(second);
        expect(limited.statusCode).toBe(429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      });
    });

    it('lets requests through, never a 500, when the Redis of REDIS_URL is down', async () => {
      const gateway = await gatewayWith({ REDIS_URL: 'redis://127.0.0.1:9' });
      const response = await gateway.inject({ method: 'GET', url: '/api/v1/posts', remoteAddress: '192.0.2.9' });
      expect(response.statusCode).toBe(200);
    }, 15_000);
  });
});

describe('gateway: connections to the services', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  /** A raw HTTP/1.1 service: `answer` decides, per request and per connection, what happens. */
  async function rawService(answer: (socket: Socket, requestOnSocket: number) => void): Promise<string> {
    const server = createServer((socket) => {
      let requests = 0;
      socket.on('data', () => answer(socket, ++requests));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    closers.push(() => new Promise((done) => server.close(done)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function gatewayTo(env: Record<string, string>) {
    const { app: gateway } = await buildApp(loadConfig(configSchema, testEnv(env)));
    closers.push(() => gateway.close());
    return gateway;
  }

  it('forwards a POST body over a real connection and returns the answer (the request stream is done before the answer comes)', async () => {
    const echo = await rawService((socket) => {
      socket.write('HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nlocation: /api/v1/posts/7\r\ncontent-length: 8\r\n\r\n{"id":7}');
    });
    const gateway = await gatewayTo({ POSTS_URL: echo });
    const address = await gateway.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${address}/api/v1/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' });
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe('/api/v1/posts/7');
      expect(await response.json()).toEqual({ id: 7 });
    }
  });

  it('answers 504 with Retry-After in JSON when a service does not answer in time', async () => {
    const hung = await rawService(() => undefined);
    const gateway = await gatewayTo({ VOTES_URL: hung, UPSTREAM_TIMEOUT_MS: '200' });
    const response = await gateway.inject({ method: 'GET', url: '/api/v1/votes/top' });
    expect(response.statusCode).toBe(504);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({ statusCode: 504, error: 'Gateway Timeout', message: 'The votes service did not answer in time' });
  });

  it('sends a request without a body again when the kept-alive connection it was sent on turns out to be closed; never a POST', async () => {
    // Every connection answers its first request and is reset by the "service" on its second:
    // what a request meets when it reuses a connection the service is just closing.
    const flaky = await rawService((socket, requestOnSocket) => {
      if (requestOnSocket > 1) return socket.resetAndDestroy();
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}');
    });
    const gateway = await gatewayTo({ MESSAGES_URL: flaky });
    for (let i = 0; i < 3; i++) {
      const read = await gateway.inject({ method: 'GET', url: '/api/v1/messages?box=inbox' });
      expect(read.statusCode, `read ${i}`).toBe(200);
      expect(read.json()).toEqual({ ok: true });
    }
    // A POST may have reached the service before the connection broke: it is not sent twice.
    const write = await gateway.inject({ method: 'POST', url: '/api/v1/messages', payload: { to: 'x', content: 'hi' } });
    expect(write.statusCode).toBe(503);
    expect(write.headers['retry-after']).toBe('5');
  });
});

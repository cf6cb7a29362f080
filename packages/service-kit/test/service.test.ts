import { connect } from 'node:net';
import {
  AppError,
  buildService,
  ConfigError,
  commonConfigSchema,
  extendConfig,
  loadConfig,
  newServicePrivateKey,
  ownServiceCredential,
  portSchema,
  servicePublicKeyOf,
  trustedServiceKeys,
} from '@codeyard/service-kit';
import { testEnv } from '@codeyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

const config = (overrides: Record<string, string> = {}) => loadConfig(commonConfigSchema, testEnv(overrides));

describe('service-kit: config', () => {
  it('rejects a wrong value naming the variable', () => {
    const schema = extendConfig({ PORT: portSchema(8081) });
    expect(() => loadConfig(schema, { PORT: 'eighty' })).toThrow(ConfigError);
    try {
      loadConfig(schema, { PORT: '70000', LOG_LEVEL: 'loud', SERVICE_PRIVATE_KEY: 'short', SERVICE_PUBLIC_KEYS: 'votes=abc' });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT:/m);
      expect(problems).toMatch(/^LOG_LEVEL:/m);
      expect(problems).toMatch(/^SERVICE_PRIVATE_KEY: must be an Ed25519 seed/m);
      expect(problems).toMatch(/^SERVICE_PUBLIC_KEYS: must be name:key pairs/m);
    }
  });

  it('in production, a service that signs needs SERVICE_PRIVATE_KEY and a verifier the keys of the callers it trusts', () => {
    const votesKey = newServicePrivateKey();
    const production = (env: Record<string, string>) => config({ NODE_ENV: 'production', ...env });
    expect(() => ownServiceCredential(production({}), 'votes')).toThrow(/SERVICE_PRIVATE_KEY: is required in production for votes/);
    expect(ownServiceCredential(production({ SERVICE_PRIVATE_KEY: votesKey }), 'votes')).toBeTypeOf('function');
    expect(ownServiceCredential(config({}), 'votes')).toBeUndefined();
    expect(() => trustedServiceKeys(production({ SERVICE_PUBLIC_KEYS: '' }), ['votes'])).toThrow(/SERVICE_PUBLIC_KEYS: needs the public key of votes/);
    const publicKeys = `votes:${servicePublicKeyOf(votesKey)},exercises:${servicePublicKeyOf(newServicePrivateKey())}`;
    // Only the trusted callers' keys are kept.
    expect([...trustedServiceKeys(production({ SERVICE_PUBLIC_KEYS: publicKeys }), ['votes']).keys()]).toEqual(['votes']);
    expect(trustedServiceKeys(production({ SERVICE_PUBLIC_KEYS: publicKeys }), []).size).toBe(0);
  });

  it('takes TRUST_PROXY as false, a hop count or proxy addresses, and refuses "true" (any client could pick its IP)', () => {
    expect(config({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(config({}).TRUST_PROXY).toBe(false);
    expect(config({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(config({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
    for (const bad of ['true', 'yes', '10.0.0.0/33', 'example.com', '1,2']) {
      expect(() => config({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY: must be false, a hop count/);
    }
  });

  it('applies the documented defaults', () => {
    const parsed = loadConfig(extendConfig({ PORT: portSchema(8085) }), {});
    expect(parsed).toMatchObject({ PORT: 8085, HOST: '127.0.0.1', NODE_ENV: 'development', DATA_DIR: './data', BODY_LIMIT_BYTES: 1_048_576 });
  });
});

describe('service-kit: errors and probes', () => {
  const apps: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function demoService() {
    const { app } = await buildService({ name: 'demo', description: 'test', config: config() });
    app.get('/boom', async () => {
      throw new Error('secret connection string postgres://user:pw@db');
    });
    app.get('/teapot', async () => {
      throw new AppError(418, 'I am a teapot', { headers: { 'x-extra': 'yes' } });
    });
    app.post('/echo', { schema: { body: z.object({ n: z.number().int() }), response: { 200: z.object({ n: z.number() }) } } }, async (request) => ({
      n: request.body.n,
    }));
    app.post('/text', { schema: { body: z.object({ title: z.string(), tags: z.array(z.string()).optional() }) } }, async (request) => ({
      title: request.body.title,
    }));
    app.get('/find', { schema: { querystring: z.object({ q: z.string() }) } }, async (request) => ({ q: request.query.q }));
    app.get('/leaky', { schema: { response: { 200: z.object({ id: z.number() }) } } }, async () => ({ id: 1, password_hash: 'x' }) as { id: number });
    apps.push(app);
    return app;
  }

  it('answers an unexpected error with a 500 that reveals nothing internal', async () => {
    const app = await demoService();
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: expect.any(String) });
    expect(response.body).not.toContain('postgres');
    expect(response.body).not.toContain('at ');
  });

  it('answers an AppError with its status, message and headers', async () => {
    const app = await demoService();
    const response = await app.inject({ method: 'GET', url: '/teapot' });
    expect(response.statusCode).toBe(418);
    expect(response.headers['x-extra']).toBe('yes');
    expect(response.json()).toEqual({ statusCode: 418, error: "I'm a Teapot", message: 'I am a teapot' });
  });

  it('strips fields a response schema does not declare', async () => {
    const app = await demoService();
    const response = await app.inject({ method: 'GET', url: '/leaky' });
    expect(response.json()).toEqual({ id: 1 });
  });

  it('validates bodies: 400 with errors per field, 415 for non-JSON, 400 for broken JSON', async () => {
    const app = await demoService();
    const wrongType = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'one' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().errors).toEqual({ n: expect.any(String) });
    const form = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'n=1' });
    expect(form.statusCode).toBe(415);
    const broken = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"n":' });
    expect(broken.statusCode).toBe(400);
    const ok = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"n":2}' });
    expect(ok.json()).toEqual({ n: 2 });
  });

  it('takes JSON in UTF-8 only: other JSON types and charsets are 415, bytes that are not UTF-8 are 400', async () => {
    const app = await demoService();
    for (const contentType of ['application/json-patch+json', 'application/merge-patch+json', 'application/json; charset=utf-16', 'application/json; charset=latin1']) {
      const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload: '{"n":2}' });
      expect(response.statusCode, contentType).toBe(415);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    for (const contentType of ['application/json', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"']) {
      const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload: '{"n":2}' });
      expect(response.statusCode, contentType).toBe(200);
    }
    const latin1 = await app.inject({
      method: 'POST',
      url: '/text',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), // {"title":"é"} in latin1
    });
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().message).toBe('Request body is not valid UTF-8');
  });

  it.each([
    ['a NUL in a value', '{"title":"a\\u0000b"}', 'title'],
    ['a lone high surrogate', '{"title":"\\ud800"}', 'title'],
    ['a lone low surrogate in a list', '{"title":"ok","tags":["x","\\udc00y"]}', 'tags.1'],
    ['a NUL in a key', '{"title":"ok","a\\u0000":1}', 'a\u0000'],
  ])('answers 400 for %s of a JSON body', async (_label, payload, field) => {
    const app = await demoService();
    const response = await app.inject({ method: 'POST', url: '/text', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual({ [field]: 'must not contain NUL characters or unpaired surrogates' });
  });

  it('accepts text with paired surrogates (emoji) and answers 400 for NUL in a query string', async () => {
    const app = await demoService();
    const emoji = await app.inject({ method: 'POST', url: '/text', payload: { title: 'hi \u{1F600}' } });
    expect(emoji.json()).toEqual({ title: 'hi \u{1F600}' });
    const nul = await app.inject({ method: 'GET', url: '/find?q=a%00b' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors).toEqual({ q: 'must not contain NUL characters or unpaired surrogates' });
    expect((await app.inject({ method: 'GET', url: '/find?q=ab' })).json()).toEqual({ q: 'ab' });
  });

  it('answers a wrong method with 405 and Allow, an unknown path with 404, both JSON', async () => {
    const app = await demoService();
    const wrong = await app.inject({ method: 'PUT', url: '/echo' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    const unknown = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(unknown.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Route GET /nope does not exist' });
  });

  it('returns the request id it was given, or a new one', async () => {
    const app = await demoService();
    const given = await app.inject({ method: 'GET', url: '/ping', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const fresh = await app.inject({ method: 'GET', url: '/ping' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports not ready (503) when a dependency check fails', async () => {
    const { app } = await buildService({
      name: 'demo',
      description: 'test',
      config: config(),
      readinessChecks: {
        search: async () => {
          throw new Error('search is down: connect ECONNREFUSED 10.0.0.7:9200 as user admin');
        },
      },
    });
    apps.push(app);
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({ status: 'unavailable', checks: { search: 'unavailable' } });
    expect(response.body).not.toContain('ECONNREFUSED');
  });

  it('lets in-flight requests finish when it closes', async () => {
    const { app } = await buildService({ name: 'demo', description: 'test', config: config() });
    let release: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      app.get('/slow', async () => {
        resolve();
        await new Promise<void>((done) => {
          release = done;
        });
        return { done: true };
      });
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const pending = fetch(`${address}/slow`);
    await started;
    const closing = app.close();
    release();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closing;
  });
});

// The VM layout once saw both gateways exit from the access line's `request.ip` after a socket
// was detached behind Caddy (service-kit's clientIp guards it). These cases — a client hanging up
// mid-request, a health check closing right after its answer — did not reproduce that crash here,
// but each must keep the service up.
describe('service-kit: a client that hangs up behind a trusted proxy', () => {
  it('does not take the service down when the request completes after its socket is gone', async () => {
    const { app } = await buildService({ name: 'demo', description: 'test', config: config({ TRUST_PROXY: '1', LOG_LEVEL: 'info' }) });
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    let release: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      app.get('/slow', async () => {
        resolve();
        await new Promise<void>((go) => {
          release = go;
        });
        return { done: true };
      });
    });
    try {
      const address = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
      const socket = connect(Number(address.port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write('GET /slow HTTP/1.1\r\nhost: demo\r\nx-forwarded-for: 203.0.113.7\r\n\r\n');
      await started;
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(crashes).toEqual([]);
      // A proxy's health check: one request per connection, closed as soon as the answer is in.
      for (let i = 0; i < 20; i += 1) {
        await new Promise<void>((resolve) => {
          const probe = connect(Number(address.port), '127.0.0.1');
          probe.on('error', () => resolve());
          probe.on('data', () => probe.destroy());
          probe.on('close', () => resolve());
          probe.write('GET /ping HTTP/1.1\r\nhost: demo\r\nconnection: close\r\nx-forwarded-for: 203.0.113.9\r\n\r\n');
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(crashes).toEqual([]);
      const after = await app.inject({ method: 'GET', url: '/ping', headers: { 'x-forwarded-for': '203.0.113.8' } });
      expect(after.statusCode).toBe(200);
    } finally {
      process.off('uncaughtException', onCrash);
      await app.close();
    }
  });
});

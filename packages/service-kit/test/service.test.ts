import { AppError, buildService, ConfigError, commonConfigSchema, extendConfig, loadConfig, portSchema } from '@codeyard/service-kit';
import { testEnv } from '@codeyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

const config = (overrides: Record<string, string> = {}) => loadConfig(commonConfigSchema, testEnv(overrides));

describe('service-kit: config', () => {
  it('rejects a wrong value naming the variable', () => {
    const schema = extendConfig({ PORT: portSchema(8081) });
    expect(() => loadConfig(schema, { PORT: 'eighty' })).toThrow(ConfigError);
    try {
      loadConfig(schema, { PORT: '70000', LOG_LEVEL: 'loud', SERVICE_SECRET: 'short' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT:/m);
      expect(problems).toMatch(/^LOG_LEVEL:/m);
      expect(problems).toMatch(/^SERVICE_SECRET: must be at least 32 characters/m);
    }
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
          throw new Error('search is down');
        },
      },
    });
    apps.push(app);
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({ status: 'unavailable', checks: { search: 'search is down' } });
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

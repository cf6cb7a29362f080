import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceClient, MAX_SERVICE_RESPONSE_BYTES } from '@codeyard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A service that answers `size` bytes of JSON, with or without Content-Length. */
function startAnswering(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const size = Number(url.searchParams.get('size'));
    const body = `"${'a'.repeat(size - 2)}"`;
    if (url.searchParams.get('chunked') === '1') {
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let offset = 0; offset < body.length; offset += 64 * 1024) response.write(body.slice(offset, offset + 64 * 1024));
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      response.end(body);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('service-kit: service HTTP client', () => {
  let service: Awaited<ReturnType<typeof startAnswering>>;
  beforeAll(async () => {
    service = await startAnswering();
  });
  afterAll(() => service.close());

  it('reads an answer up to the cap', async () => {
    const client = createServiceClient({ baseUrl: service.url, target: 'big', timeoutMs: 10_000 });
    const response = await client<string>('GET', `/?size=${MAX_SERVICE_RESPONSE_BYTES}&chunked=1`);
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(MAX_SERVICE_RESPONSE_BYTES - 2);
  });

  it.each([
    ['with Content-Length', ''],
    ['streamed without Content-Length', '&chunked=1'],
  ])('refuses an answer above 2 MiB %s with a clear 502', async (_label, extra) => {
    const client = createServiceClient({ baseUrl: service.url, target: 'big', timeoutMs: 10_000 });
    await expect(client('GET', `/?size=${MAX_SERVICE_RESPONSE_BYTES + 1}${extra}`)).rejects.toMatchObject({
      statusCode: 502,
      message: `The big service answered with more than ${MAX_SERVICE_RESPONSE_BYTES} bytes`,
    });
  });

  it('takes a smaller cap when given one', async () => {
    const client = createServiceClient({ baseUrl: service.url, target: 'big', timeoutMs: 10_000, maxResponseBytes: 1024 });
    await expect(client('GET', '/?size=2048&chunked=1')).rejects.toMatchObject({ statusCode: 502 });
    expect((await client('GET', '/?size=1000')).status).toBe(200);
  });
});

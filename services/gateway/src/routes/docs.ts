import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { ServiceApp } from '@codeyard/service-kit';
import type { Upstream } from '../config.js';

type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, unknown>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  tags: Array<{ name: string; description?: string }>;
};

const PROBE_PATHS = new Set(['/ping', '/health', '/ready', '/metrics', '/openapi.json']);

/**
 * One OpenAPI document for the public API: every service's paths under `/api/v1`, fetched from
 * the services and cached briefly. A service that is down is listed as missing, not fatal.
 */
export async function registerDocs(app: ServiceApp, services: Upstream[]) {
  let cached: { document: OpenApiDocument; at: number } | undefined;

  async function mergedDocument(): Promise<OpenApiDocument> {
    if (cached && Date.now() - cached.at < 30_000) return cached.document;
    const document: OpenApiDocument = {
      openapi: '3.1.0',
      info: {
        title: 'Codeyard API',
        version: '1',
        description: 'The public API of Codeyard, served by the gateway under /api/v1. Errors are always JSON: {statusCode, error, message, errors?}.',
      },
      paths: {},
      components: { schemas: {}, securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [],
    };
    const missing: string[] = [];
    await Promise.all(
      services.map(async (upstream) => {
        try {
          const response = await fetch(new URL('/openapi.json', upstream.url), { signal: AbortSignal.timeout(2_000) });
          if (!response.ok) throw new Error(String(response.status));
          const spec = (await response.json()) as Partial<OpenApiDocument>;
          for (const [path, item] of Object.entries(spec.paths ?? {})) {
            if (PROBE_PATHS.has(path)) continue;
            const isOwnPrefix = upstream.prefixes.some((prefix) => path === `/${prefix}` || path.startsWith(`/${prefix}/`));
            if (isOwnPrefix) document.paths[`/api/v1${path}`] = item;
          }
          Object.assign(document.components.schemas, spec.components?.schemas ?? {});
          document.tags.push({ name: upstream.service });
        } catch {
          missing.push(upstream.service);
        }
      }),
    );
    // Services answer in any order; sort so the document is the same every time (it is committed).
    document.paths = Object.fromEntries(Object.entries(document.paths).sort(([a], [b]) => a.localeCompare(b)));
    document.components.schemas = Object.fromEntries(Object.entries(document.components.schemas).sort(([a], [b]) => a.localeCompare(b)));
    document.tags.sort((a, b) => a.name.localeCompare(b.name));
    if (missing.length > 0) {
      document.info.description = `${String(document.info.description)}\n\nNot reachable right now (their paths are missing): ${missing.sort().join(', ')}.`;
    } else {
      cached = { document, at: Date.now() };
    }
    return document;
  }

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => mergedDocument());

  // Swagger UI's own files, with an initializer that points it at the merged document.
  await app.register(fastifyStatic, { root: swaggerUiDir, prefix: '/docs/', decorateReply: false, index: false });
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs/'));
  app.get('/docs/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(DOCS_PAGE),
  );
  app.get('/docs/codeyard-docs.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(DOCS_SCRIPT),
  );
}

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Codeyard API docs</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/codeyard-docs.js"></script>
  </body>
</html>`;

const DOCS_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
});`;

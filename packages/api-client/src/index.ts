import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export type { Middleware } from 'openapi-fetch';

/** The API's error body (`{statusCode, error, message, errors?}`). */
export type ApiError = components['schemas']['Error'];

/**
 * A typed client of the Codeyard API: paths, parameters, bodies and answers are checked against
 * docs/openapi.json at compile time. `baseUrl` is the gateway's origin ('' in the browser).
 */
export function createApiClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}) {
  return createClient<paths>({ baseUrl, ...options });
}

export type ApiClient = ReturnType<typeof createApiClient>;

import { serviceUnavailable } from './errors.js';

export interface ServiceResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ServiceClientOptions {
  baseUrl: string;
  /** Returns the current service credential (see createServiceCredential). */
  credential?: () => Promise<string>;
  timeoutMs?: number;
  /** The name used in 503 messages, e.g. "users". */
  target: string;
}

export interface ServiceRequest {
  body?: unknown;
  requestId?: string | undefined;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export type ServiceClient = <T = unknown>(method: string, path: string, request?: ServiceRequest) => Promise<ServiceResponse<T>>;

/**
 * HTTP client for calls between services: carries the service credential and the caller's
 * request id, times out, and turns "cannot reach it" into a 503 AppError (never a hang, never a 500).
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  return async (method, path, request = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.requestId) headers['x-request-id'] = request.requestId;
    if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
    if (options.credential) headers.authorization = `Bearer ${await options.credential()}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, options.baseUrl), {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(request.timeoutMs ?? options.timeoutMs ?? 5_000),
      });
    } catch {
      throw serviceUnavailable(`The ${options.target} service is unavailable`);
    }
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.status, body: body as never, headers: response.headers };
  };
}

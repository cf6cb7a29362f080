import { AppError, serviceUnavailable } from './errors.js';

/** The largest answer a service reads from another (2 MiB); a bigger one is a 502, not a memory spike. */
export const MAX_SERVICE_RESPONSE_BYTES = 2 * 1024 * 1024;

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
  /** Cap of a response body in bytes (default MAX_SERVICE_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

export interface ServiceRequest {
  body?: unknown;
  requestId?: string | undefined;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export type ServiceClient = <T = unknown>(method: string, path: string, request?: ServiceRequest) => Promise<ServiceResponse<T>>;

/** Reads a body up to `limit` bytes; past it, stops reading and says so (undefined). */
async function readCapped(response: Response, limit: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * HTTP client for calls between services: carries the service credential and the caller's
 * request id, times out, caps the size of the answer (a 502 past it), and turns "cannot reach
 * it" into a 503 AppError (never a hang, never a 500).
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const maxResponseBytes = options.maxResponseBytes ?? MAX_SERVICE_RESPONSE_BYTES;
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
    let text: string | undefined;
    try {
      text = await readCapped(response, maxResponseBytes);
    } catch {
      throw serviceUnavailable(`The ${options.target} service is unavailable`);
    }
    if (text === undefined) {
      throw new AppError(502, `The ${options.target} service answered with more than ${maxResponseBytes} bytes`);
    }
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

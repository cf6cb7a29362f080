import { type ApiError, createApiClient } from '@codeyard/api-client';
import { session } from './session';

/**
 * The one API client of the web app. Every call carries the in-memory access token; a 401 on a
 * call that had one triggers the (single-flight) silent refresh and one retry.
 */
export const api = createApiClient('', {
  fetch: async (request: Request) => {
    const token = session.accessToken();
    const retry = token ? request.clone() : undefined;
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(request);
    if (response.status !== 401 || !retry) return response;
    const fresh = await session.refresh(token);
    if (!fresh) return response;
    retry.headers.set('authorization', `Bearer ${fresh}`);
    return fetch(retry);
  },
});

/** An answer of the API other than 2xx, with its message and per-field errors. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiError> & { errors?: Record<string, string> },
  ) {
    super(body.message ?? `The server answered ${status}`);
  }
  get fieldErrors(): Record<string, string> {
    return (this.body.errors as Record<string, string> | undefined) ?? {};
  }
}

/** The data of a successful call; throws ApiRequestError otherwise (TanStack Query shows it). */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok) return undefined as T;
  throw new ApiRequestError(result.response.status, (result.error ?? {}) as ApiRequestError['body']);
}

/** The `before` cursor of the next page, from the answer's `Link: <…>; rel="next"` (none on the last page). */
export function nextCursor(response: Response): string | undefined {
  const target = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  return target === undefined ? undefined : (new URL(target, 'http://link.invalid').searchParams.get('before') ?? undefined);
}

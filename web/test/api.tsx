// The API as a component test sees it: every call of the app (the typed client's and the
// session's) goes to `answer`, which the test writes; the calls are recorded in order.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, type RouteObject, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { session } from '../src/api/session';

/** Who `signIn()` signs in: what `GET /auth/status` answers. */
export const TEST_USER = {
  id: 7,
  username: 'ada',
  email: 'ada@example.test',
  karma: 0,
  active: true,
  admin: false,
  created_at: '2026-12-03T10:00:00.000Z',
};

export interface ApiCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Routes every call to `answer` (`GET /auth/status` answers TEST_USER) and records them. */
export function stubApi(answer: (call: ApiCall) => Response | Promise<Response>): ApiCall[] {
  const calls: ApiCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      const url = new URL(request.url);
      const text = await request.text();
      const call = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      calls.push(call);
      return call.path === '/api/v1/auth/status' ? json(200, TEST_USER) : answer(call);
    }),
  );
  return calls;
}

/** Ends the stub and any session (`afterEach(resetApi)`). */
export function resetApi(): void {
  session.forget();
  vi.unstubAllGlobals();
}

/** Signs TEST_USER in through the (stubbed) API, as the login page does. */
export async function signIn(): Promise<void> {
  localStorage.clear();
  await session.signIn({ access_token: 'token' });
}

/** The API's answer to a call no test expected. */
export function unexpected(call: ApiCall): Response {
  return json(404, { statusCode: 404, error: 'Not Found', message: `no stub for ${call.method} ${call.path}` });
}

/** Renders these routes at `path`, with a fresh query cache that does not retry. */
export function renderRoutes(routes: RouteObject[], path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

/** A promise with its resolve handle, to hold an answer back until the test lets it go. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A small HTTP client for e2e tests: JSON in, parsed body out, nothing hidden. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON (or the text when it is not JSON); tests assert on the shape they receive. */
  body: any;
  text: string;
}

export interface ApiRequest {
  method?: string;
  json?: unknown;
  body?: string;
  token?: string;
  headers?: Record<string, string>;
}

export function apiClient(baseUrl: string) {
  return async (path: string, request: ApiRequest = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const response = await fetch(`${baseUrl}${path.startsWith('/api/') || path.startsWith('/docs') || path === '/health' ? '' : '/api/v1'}${path}`, {
      method: request.method ?? 'GET',
      headers,
      body: request.json !== undefined ? JSON.stringify(request.json) : request.body,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the test sees the text
    }
    return { status: response.status, headers: response.headers, body, text };
  };
}

/** A short unique suffix for names that must not collide between tests and runs. */
export const uniqueTag = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Registers a new user through the gateway and signs it in. */
export async function newSignedInUser(api: ReturnType<typeof apiClient>, prefix: string) {
  const username = `${prefix}_${uniqueTag()}`;
  const registered = await api('/auth/register', {
    method: 'POST',
    json: { username, email: `${username}@example.test`, password: 'a-good-password' },
  });
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status} ${registered.text}`);
  const login = await api('/auth/login', { method: 'POST', json: { username, password: 'a-good-password' } });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${login.text}`);
  return { id: registered.body.id as number, username, token: login.body.access_token as string };
}

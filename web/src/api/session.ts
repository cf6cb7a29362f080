// The signed-in session. The access token lives only in memory; the refresh token is the
// HttpOnly cookie the API sets on /api/v1/auth (decisions 006 and 007). A reload or a new tab gets a new
// access token through a silent refresh — one at a time per browser (see refresh()).
import type { components } from '@codeyard/api-client';

export type User = components['schemas']['User'];

export interface SessionState {
  status: 'unknown' | 'signed-in' | 'signed-out';
  user: User | null;
}

// Not a secret: only "this browser signed in", so anonymous visitors make no refresh call at all.
const HINT_KEY = 'codeyard.signed-in';
const REFRESH_LOCK = 'codeyard-refresh';

interface TokenPair {
  access_token: string;
}

let accessToken: string | null = null;
let state: SessionState = { status: 'unknown', user: null };
let refreshing: Promise<string | null> | null = null;
const listeners = new Set<() => void>();

function setState(next: SessionState) {
  state = next;
  for (const listener of listeners) listener();
}

function hasHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return false;
  }
}

function setHint(on: boolean) {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // storage can be disabled; the session then simply does not survive a reload
  }
}

/** A call that the refresh cookie signs; the header is the API's CSRF defence for it. */
async function postWithCookie(path: string, body: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-codeyard-csrf': '1' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`/api/v1/auth/${path}`, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
}

async function loadUser(token: string): Promise<User | null> {
  const response = await fetch('/api/v1/auth/status', { headers: { authorization: `Bearer ${token}` } });
  return response.ok ? ((await response.json()) as User) : null;
}

/** Exchanges the refresh cookie for a new access token; null when the session is over. */
async function exchangeRefreshCookie(): Promise<string | null> {
  const response = await postWithCookie('refresh', {});
  if (!response.ok) return null;
  return ((await response.json()) as TokenPair).access_token;
}

function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  // Refresh tokens rotate: two tabs sending the same cookie at once would look like reuse and end
  // the session, so every tab of this browser takes turns.
  if (typeof navigator !== 'undefined' && navigator.locks) return navigator.locks.request(REFRESH_LOCK, work) as Promise<T>;
  return work();
}

export const session = {
  accessToken: () => accessToken,
  state: () => state,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /**
   * A new access token from the refresh cookie. Single-flight: callers that arrive while one is in
   * flight share it; `staleToken` (the token that just got a 401) lets a caller skip the call when
   * another refresh has already replaced it.
   */
  refresh(staleToken?: string | null): Promise<string | null> {
    if (staleToken && accessToken && accessToken !== staleToken) return Promise.resolve(accessToken);
    if (!refreshing) {
      refreshing = withRefreshLock(exchangeRefreshCookie)
        .then(async (token) => {
          if (!token) {
            session.forget();
            return null;
          }
          accessToken = token;
          const user = state.user ?? (await loadUser(token));
          if (user) setState({ status: 'signed-in', user });
          else session.forget();
          return user ? token : null;
        })
        .finally(() => {
          refreshing = null;
        });
    }
    return refreshing;
  },

  /** On start: resume the session of this browser if it has one, without a call if it has none. */
  async restore(): Promise<void> {
    if (!hasHint()) return setState({ status: 'signed-out', user: null });
    await session.refresh();
  },

  async signIn(tokens: TokenPair): Promise<User | null> {
    accessToken = tokens.access_token;
    const user = await loadUser(tokens.access_token);
    if (!user) {
      session.forget();
      return null;
    }
    setHint(true);
    setState({ status: 'signed-in', user });
    return user;
  },

  setUser(user: User) {
    if (state.status === 'signed-in') setState({ status: 'signed-in', user });
  },

  async signOut(): Promise<void> {
    const token = accessToken;
    if (token) await postWithCookie('logout', {}, token).catch(() => undefined);
    session.forget();
  },

  forget() {
    accessToken = null;
    setHint(false);
    setState({ status: 'signed-out', user: null });
  },
};

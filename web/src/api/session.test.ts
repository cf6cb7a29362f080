import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_USER as USER } from '../../test/api';
import { session } from './session';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('the session', () => {
  let calls: string[];
  let refreshAnswers: (() => Response)[];

  beforeEach(() => {
    calls = [];
    refreshAnswers = [];
    localStorage.clear();
    session.forget();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        calls.push(`${init?.method ?? 'GET'} ${url}`);
        // let every caller that is going to join an in-flight refresh get there first
        await new Promise((done) => setTimeout(done, 10));
        if (url.endsWith('/auth/refresh')) {
          expect(new Headers(init?.headers).get('x-codeyard-csrf')).toBe('1');
          return (refreshAnswers.shift() ?? (() => json(401, { statusCode: 401, error: 'Unauthorized', message: 'expired' })))();
        }
        if (url.endsWith('/auth/status')) return json(200, USER);
        return json(404, {});
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('makes no refresh call for a visitor who never signed in', async () => {
    await session.restore();
    expect(session.state().status).toBe('signed-out');
    expect(calls).toEqual([]);
  });

  it('sends one refresh for many callers at once, and all of them get its token', async () => {
    await session.signIn({ access_token: 'first' });
    calls.length = 0;
    refreshAnswers.push(() => json(200, { access_token: 'second', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 }));
    const tokens = await Promise.all([session.refresh('first'), session.refresh('first'), session.refresh('first')]);
    expect(tokens).toEqual(['second', 'second', 'second']);
    expect(calls.filter((call) => call.endsWith('/auth/refresh'))).toHaveLength(1);
    // a caller whose 401 came from the token that was already replaced does not refresh again
    expect(await session.refresh('first')).toBe('second');
    expect(calls.filter((call) => call.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('resumes the session after a reload from the refresh cookie, and signs out when the cookie is refused', async () => {
    await session.signIn({ access_token: 'first' });
    session.forget();
    localStorage.setItem('codeyard.signed-in', '1');
    refreshAnswers.push(() => json(200, { access_token: 'resumed', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 }));
    await session.restore();
    expect(session.state()).toMatchObject({ status: 'signed-in', user: { username: 'ada' } });
    expect(session.accessToken()).toBe('resumed');

    expect(await session.refresh('resumed')).toBeNull();
    expect(session.state().status).toBe('signed-out');
    expect(localStorage.getItem('codeyard.signed-in')).toBeNull();
  });
});

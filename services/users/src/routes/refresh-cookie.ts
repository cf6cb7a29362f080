import { badRequest, forbidden } from '@codeyard/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser's copy of the refresh token (decision 006): HttpOnly so scripts never see it,
 * SameSite=Strict and scoped to the public auth path, so it travels only to refresh and logout.
 */
export const REFRESH_COOKIE = 'codeyard_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
/** A request that authenticates with the cookie must also carry this header (CSRF defence). */
export const CSRF_HEADER = 'x-codeyard-csrf';

export interface RefreshCookieOptions {
  secure: boolean;
  maxAgeSeconds: number;
}

function cookieAttributes(options: RefreshCookieOptions, maxAge: number) {
  return `Path=${REFRESH_COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
}

export function setRefreshCookie(reply: FastifyReply, refreshToken: string, options: RefreshCookieOptions) {
  reply.header('set-cookie', `${REFRESH_COOKIE}=${refreshToken}; ${cookieAttributes(options, options.maxAgeSeconds)}`);
  reply.header('cache-control', 'no-store');
}

export function clearRefreshCookie(reply: FastifyReply, options: RefreshCookieOptions) {
  reply.header('set-cookie', `${REFRESH_COOKIE}=; ${cookieAttributes(options, 0)}`);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/**
 * The refresh token of a request: the body's, or else the cookie's. The cookie is sent by the
 * browser on its own, so using it needs `X-Codeyard-CSRF: 1`, which a cross-site page cannot
 * send without a CORS preflight that the gateway refuses.
 */
export function refreshTokenOf(request: FastifyRequest, body: { refresh_token?: string | undefined } | null | undefined) {
  if (body?.refresh_token !== undefined) return body.refresh_token;
  const fromCookie = readCookie(request.headers.cookie, REFRESH_COOKIE);
  if (fromCookie === undefined) return undefined;
  if (request.headers[CSRF_HEADER] !== '1') {
    throw forbidden(`Requests signed in with the ${REFRESH_COOKIE} cookie need the header X-Codeyard-CSRF: 1`);
  }
  if (fromCookie.length > 512) throw badRequest('The refresh cookie is malformed', { refresh_token: 'is malformed' });
  return fromCookie;
}

import { messageResponse, users as contract } from '@codeyard/contracts';
import { actorOf, badRequest, created, type ServiceApp } from '@codeyard/service-kit';
import { type Accounts, presentUser } from '../domain/accounts.js';
import { clearRefreshCookie, type RefreshCookieOptions, refreshTokenOf, setRefreshCookie } from './refresh-cookie.js';

/** Public routes (register, login, refresh, logout with a refresh token) never read Authorization. */
export function registerAuthRoutes(app: ServiceApp, accounts: Accounts, cookie: RefreshCookieOptions) {
  const tags = ['auth'];

  app.post(
    '/auth/register',
    {
      schema: {
        tags,
        summary: 'Create an account',
        body: contract.registerBody,
        response: { 201: contract.user },
      },
    },
    async (request, reply) => {
      const user = await accounts.register(request.body);
      created(reply, `/users/${user.id}`);
      return presentUser(user, { kind: 'user', id: user.id, username: user.username, admin: user.admin, tokenVersion: 0 });
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in with email or username and password',
        description:
          '401 for an unknown user and for a wrong password alike; 403 for a deactivated account. Also sets the refresh token in the HttpOnly `codeyard_refresh` cookie (path /api/v1/auth) for browsers.',
        body: contract.loginBody,
        response: { 200: contract.tokenPair },
      },
    },
    async (request, reply) => {
      const pair = await accounts.login(request.body);
      setRefreshCookie(reply, pair.refresh_token, cookie);
      return pair;
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Swap a refresh token for a new pair',
        description:
          'The refresh token comes from the body, or else from the `codeyard_refresh` cookie together with the header `X-Codeyard-CSRF: 1`. The old refresh token stops working; presented again within a few seconds (two tabs) it yields another pair of the same login, later it revokes the whole login.',
        body: contract.refreshBody,
        response: { 200: contract.tokenPair },
      },
    },
    async (request, reply) => {
      const refreshToken = refreshTokenOf(request, request.body);
      if (refreshToken === undefined) {
        throw badRequest('refresh_token is required (in the body or the codeyard_refresh cookie)', { refresh_token: 'is required' });
      }
      const pair = await accounts.refresh(refreshToken);
      setRefreshCookie(reply, pair.refresh_token, cookie);
      return pair;
    },
  );

  app.get(
    '/auth/status',
    { schema: { tags, summary: 'The signed-in user', security: [{ bearerAuth: [] }], response: { 200: contract.user } } },
    async (request) => {
      const actor = await actorOf(request);
      return presentUser(await accounts.status(actor), actor);
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags,
        summary: 'Sign out: revokes the login of the given refresh token (body or cookie), or else of the access token',
        description: 'With a refresh token (body, or cookie plus `X-Codeyard-CSRF: 1`) no access token is needed. Clears the cookie.',
        security: [{ bearerAuth: [] }, {}],
        body: contract.logoutBody,
        response: { 200: messageResponse },
      },
    },
    async (request, reply) => {
      const refreshToken = refreshTokenOf(request, request.body);
      if (refreshToken !== undefined) await accounts.logoutRefreshToken(refreshToken);
      else await accounts.logout(await actorOf(request));
      clearRefreshCookie(reply, cookie);
      return { message: 'Signed out' };
    },
  );
  app.get(
    '/auth/logout',
    {
      schema: { tags, summary: 'Sign out the current login (access token)', security: [{ bearerAuth: [] }], response: { 200: messageResponse } },
    },
    async (request, reply) => {
      await accounts.logout(await actorOf(request));
      clearRefreshCookie(reply, cookie);
      return { message: 'Signed out' };
    },
  );
}

import { messageResponse, users as contract } from '@codeyard/contracts';
import { created, type ServiceApp } from '@codeyard/service-kit';
import { presentUser, type Accounts } from '../domain/accounts.js';

export function registerAuthRoutes(app: ServiceApp, accounts: Accounts) {
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
        description: '401 for an unknown user and for a wrong password alike; 403 for a deactivated account.',
        body: contract.loginBody,
        response: { 200: contract.tokenPair },
      },
    },
    async (request) => accounts.login(request.body),
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Swap a refresh token for a new pair',
        description: 'The old refresh token stops working. Presenting a spent one revokes the whole login.',
        body: contract.refreshBody,
        response: { 200: contract.tokenPair },
      },
    },
    async (request) => accounts.refresh(request.body.refresh_token),
  );

  app.get(
    '/auth/status',
    { schema: { tags, summary: 'The signed-in user', security: [{ bearerAuth: [] }], response: { 200: contract.user } } },
    async (request) => presentUser(await accounts.status(request.actor), request.actor),
  );

  const logout = async (refreshToken: string | undefined, actor: Parameters<Accounts['logout']>[0]) => {
    await accounts.logout(actor, refreshToken);
    return { message: 'Signed out' };
  };
  app.post(
    '/auth/logout',
    {
      schema: {
        tags,
        summary: 'Sign out: revokes the given refresh token, or else the current login',
        security: [{ bearerAuth: [] }],
        body: contract.logoutBody,
        response: { 200: messageResponse },
      },
    },
    async (request) => logout(request.body?.refresh_token, request.actor),
  );
  app.get(
    '/auth/logout',
    {
      schema: { tags, summary: 'Sign out the current login', security: [{ bearerAuth: [] }], response: { 200: messageResponse } },
    },
    async (request) => logout(undefined, request.actor),
  );

}

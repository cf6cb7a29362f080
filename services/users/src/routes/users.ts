import { idListParam, idParams, MAX_BATCH_IDS, messageResponse, users as contract } from '@codeyard/contracts';
import { actorOf, badRequest, created, decodeCursor, idCursor, limitSchema, pageOf, type ServiceApp, setNextLink } from '@codeyard/service-kit';
import { z } from 'zod';
import { type Accounts, presentUser } from '../domain/accounts.js';
import type { createKarma } from '../domain/karma.js';

export function registerUserRoutes(app: ServiceApp, accounts: Accounts, karma: ReturnType<typeof createKarma>) {
  const tags = ['users'];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'List users, newest first; or look up several users by id',
        description:
          `With \`ids\` (1 to ${MAX_BATCH_IDS} comma-separated ids) the answer is those users, in the order given, ` +
          'without the ones that do not exist; `username`, `limit` and `before` do not apply then.',
        querystring: z.object({
          ids: idListParam.optional(),
          username: z.string().max(32).optional(),
          limit: limitSchema,
          before: z.string().max(200).optional(),
        }),
        response: { 200: z.array(contract.user) },
      },
    },
    async (request, reply) => {
      const { ids, username, limit, before } = request.query;
      if (ids !== undefined) {
        if (before !== undefined || username !== undefined) {
          throw badRequest('ids cannot be combined with username or before', { ids: 'cannot be combined with username or before' });
        }
        const actor = await actorOf(request);
        return (await accounts.listByIds(ids)).map((user) => presentUser(user, actor));
      }
      const beforeId = before === undefined ? undefined : decodeCursor(before, idCursor).id;
      const rows = await accounts.list({ username, beforeId, limit: limit + 1 });
      const page = pageOf(rows, limit, (last) => ({ id: last.id }));
      setNextLink(request, reply, page.next);
      const actor = await actorOf(request);
      return page.items.map((user) => presentUser(user, actor));
    },
  );

  app.get(
    '/users/:id',
    { schema: { tags, summary: 'One user', params: idParams, response: { 200: contract.user } } },
    async (request) => presentUser(await accounts.requireUserRecord(request.params.id), await actorOf(request)),
  );

  app.post(
    '/users',
    {
      schema: { tags, summary: 'Create a user (admin)', security, body: contract.createUserBody, response: { 201: contract.user } },
    },
    async (request, reply) => {
      const user = await accounts.createUser(await actorOf(request), request.body);
      created(reply, `/users/${user.id}`);
      return presentUser(user, await actorOf(request));
    },
  );

  app.put(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Replace username and email (self or admin)',
        security,
        params: idParams,
        body: contract.replaceUserBody,
        response: { 200: contract.user },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      return presentUser(await accounts.replace(actor, request.params.id, request.body), actor);
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change username, email or password (self or admin)',
        description: 'A password change needs `current_password` unless an admin changes another user\'s password.',
        security,
        params: idParams,
        body: contract.patchUserBody,
        response: { 200: contract.user },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      return presentUser(await accounts.patch(actor, request.params.id, request.body), actor);
    },
  );

  app.delete(
    '/users/:id',
    { schema: { tags, summary: 'Delete a user (admin)', security, params: idParams, response: { 200: messageResponse } } },
    async (request) => {
      await accounts.remove(await actorOf(request), request.params.id);
      return { message: `User ${request.params.id} deleted` };
    },
  );

  app.post(
    '/users/:id/deactivate',
    {
      schema: {
        tags,
        summary: 'Deactivate an account (self or admin); its tokens stop working',
        security,
        params: idParams,
        response: { 200: contract.user },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      return presentUser(await accounts.deactivate(actor, request.params.id), actor);
    },
  );

  app.post(
    '/users/:id/activate',
    { schema: { tags, summary: 'Re-activate an account (admin)', security, params: idParams, response: { 200: contract.user } } },
    async (request) => {
      const actor = await actorOf(request);
      return presentUser(await accounts.activate(actor, request.params.id), actor);
    },
  );

  app.post(
    '/users/:id/karma',
    {
      schema: {
        tags,
        summary: 'Change karma by delta (internal services or admin)',
        description: 'With `Idempotency-Key` the change is applied once, however often it is sent.',
        security,
        params: idParams,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: contract.karmaBody,
        response: { 200: contract.karmaResponse },
      },
    },
    async (request) =>
      karma.changeKarma(await actorOf(request), request.params.id, request.body.delta, request.headers['idempotency-key']),
  );
}

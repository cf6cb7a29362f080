import { idParams, messageResponse, messages as contract } from '@codeyard/contracts';
import {
  actorOf,
  created,
  cursorSchema,
  decodeCursor,
  IDEMPOTENCY_OPENAPI_NOTE,
  idCursor,
  idempotencyHeaders,
  limitSchema,
  pageOf,
  type ServiceApp,
  setNextLink,
} from '@codeyard/service-kit';
import { z } from 'zod';
import type { Messaging } from '../domain/messages.js';

export function registerMessageRoutes(app: ServiceApp, messaging: Messaging) {
  const tags = ['messages'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/messages',
    {
      schema: {
        tags,
        summary: 'Send a message to a user (by username)',
        description: `409 when no active account has that username (users is asked). ${IDEMPOTENCY_OPENAPI_NOTE}`,
        security,
        headers: idempotencyHeaders,
        body: contract.sendMessageBody,
        response: { 201: contract.message },
      },
    },
    async (request, reply) => {
      const result = await messaging.sendMessage(await actorOf(request), request.body, request.headers['idempotency-key'], request.id);
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      created(reply, `/messages/${result.body.id}`);
      return result.body;
    },
  );

  app.get(
    '/messages',
    {
      schema: {
        tags,
        summary: "The caller's inbox (default) or sent box, newest first",
        security,
        querystring: z.object({
          box: contract.box.default('inbox'),
          favorite: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
          limit: limitSchema,
          before: cursorSchema,
        }),
        response: { 200: z.array(contract.message) },
      },
    },
    async (request, reply) => {
      const { box, favorite, limit, before } = request.query;
      const beforeId = before === undefined ? undefined : decodeCursor(before, idCursor).id;
      const rows = await messaging.listMessages(await actorOf(request), {
        box,
        favorite: favorite === undefined ? undefined : favorite === 'true',
        beforeId,
        limit: limit + 1,
      });
      const page = pageOf(rows, limit, (last) => ({ id: last.id }));
      setNextLink(request, reply, page.next);
      return page.items;
    },
  );

  app.get(
    '/messages/:id',
    {
      schema: {
        tags,
        summary: 'One message (its sender or recipient only; 404 for anyone else)',
        security,
        params: idParams,
        response: { 200: contract.message },
      },
    },
    async (request) => messaging.getMessage(await actorOf(request), request.params.id),
  );

  app.delete(
    '/messages/:id',
    {
      schema: {
        tags,
        summary: 'Delete a message for the caller only (the other party keeps it)',
        security,
        params: idParams,
        response: { 200: messageResponse },
      },
    },
    async (request) => {
      await messaging.deleteMessage(await actorOf(request), request.params.id);
      return { message: `Message ${request.params.id} deleted` };
    },
  );

  app.put(
    '/messages/:id/favorite',
    {
      schema: {
        tags,
        summary: "Mark as favourite (the caller's own flag)",
        security,
        params: idParams,
        response: { 200: contract.message },
      },
    },
    async (request) => messaging.setFavorite(await actorOf(request), request.params.id, true),
  );

  app.delete(
    '/messages/:id/favorite',
    {
      schema: {
        tags,
        summary: "Unmark as favourite (the caller's own flag)",
        security,
        params: idParams,
        response: { 200: contract.message },
      },
    },
    async (request) => messaging.setFavorite(await actorOf(request), request.params.id, false),
  );
}

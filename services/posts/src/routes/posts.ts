import { idListParam, idParam, idParams, MAX_BATCH_IDS, messageResponse, posts as contract } from '@codeyard/contracts';
import {
  actorOf,
  badRequest,
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
import { type PostsDomain, presentPost, presentPostSummary } from '../domain/posts.js';

export function registerPostRoutes(app: ServiceApp, domain: PostsDomain) {
  const tags = ['posts'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/posts',
    {
      schema: {
        tags,
        summary: 'Create a post; its author is the caller, its community is created by its first post',
        description: IDEMPOTENCY_OPENAPI_NOTE,
        security,
        headers: idempotencyHeaders,
        body: contract.createPostBody,
        response: { 201: contract.post },
      },
    },
    async (request, reply) => {
      const result = await domain.createPost(await actorOf(request), request.body, request.headers['idempotency-key']);
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      created(reply, `/posts/${result.body.id}`);
      return result.body;
    },
  );

  app.get(
    '/posts',
    {
      schema: {
        tags,
        summary: 'The most recent posts in any community, newest first (no text or url); or several posts by id',
        description:
          '`author_id` keeps the posts of one user (paged like the whole list). ' +
          `With \`ids\` (1 to ${MAX_BATCH_IDS} comma-separated ids) the answer is those posts, in the order given, ` +
          'without the ones that do not exist; `limit` does not apply then, and `before` and `author_id` cannot be combined with it.',
        querystring: z.object({
          ids: idListParam.optional(),
          author_id: idParam.optional(),
          limit: limitSchema,
          before: cursorSchema,
        }),
        response: { 200: z.array(contract.postSummary) },
      },
    },
    async (request, reply) => {
      const { ids, author_id: authorId, limit, before } = request.query;
      if (ids !== undefined) {
        if (before !== undefined || authorId !== undefined) {
          throw badRequest('ids cannot be combined with author_id or before', { ids: 'cannot be combined with author_id or before' });
        }
        return (await domain.listPostsByIds(ids)).map(presentPostSummary);
      }
      const beforeId = before === undefined ? undefined : decodeCursor(before, idCursor).id;
      const page = pageOf(await domain.listRecentPosts({ authorId, beforeId, limit: limit + 1 }), limit, (last) => ({ id: last.id }));
      setNextLink(request, reply, page.next);
      return page.items.map(presentPostSummary);
    },
  );

  app.get('/posts/:id', { schema: { tags, summary: 'One post', params: idParams, response: { 200: contract.post } } }, async (request) =>
    presentPost(await domain.getPost(request.params.id)),
  );

  app.delete(
    '/posts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a post (its author or an admin)',
        security,
        params: idParams,
        response: { 200: messageResponse },
      },
    },
    async (request) => {
      await domain.deletePost(await actorOf(request), request.params.id);
      return { message: `Post ${request.params.id} deleted` };
    },
  );
}

import { posts as contract } from '@codeyard/contracts';
import { decodeCursor, idCursor, pageQuerySchema, pageOf, type ServiceApp, setNextLink } from '@codeyard/service-kit';
import { z } from 'zod';
import { type PostsDomain, presentCommunity, presentPostSummary } from '../domain/posts.js';

const communityCursor = z.object({ name: contract.communityName });

export function registerCommunityRoutes(app: ServiceApp, domain: PostsDomain) {
  const tags = ['communities'];

  app.get(
    '/communities',
    {
      schema: {
        tags,
        summary: 'Communities in alphabetical order, with their number of posts',
        querystring: pageQuerySchema,
        response: { 200: z.array(contract.community) },
      },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const afterName = before === undefined ? undefined : decodeCursor(before, communityCursor).name;
      const page = pageOf(await domain.listCommunities({ afterName, limit: limit + 1 }), limit, (last) => ({ name: last.name }));
      setNextLink(request, reply, page.next);
      return page.items.map(presentCommunity);
    },
  );

  app.get(
    '/communities/:name/posts',
    {
      schema: {
        tags,
        summary: 'The most recent posts in one community, newest first (no text or url)',
        params: contract.communityParams,
        querystring: pageQuerySchema,
        response: { 200: z.array(contract.postSummary) },
      },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const beforeId = before === undefined ? undefined : decodeCursor(before, idCursor).id;
      const rows = await domain.listCommunityPosts(request.params.name, { beforeId, limit: limit + 1 });
      const page = pageOf(rows, limit, (last) => ({ id: last.id }));
      setNextLink(request, reply, page.next);
      return page.items.map(presentPostSummary);
    },
  );
}

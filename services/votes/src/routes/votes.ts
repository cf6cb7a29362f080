import { idValue, MAX_ID, messageResponse, posts as postsContract, votes as contract } from '@codeyard/contracts';
import { actorOf, decodeCursor, limitSchema, pageOf, type ServiceApp, setNextLink } from '@codeyard/service-kit';
import { z } from 'zod';
import { presentTally, type Voting } from '../domain/voting.js';

// Scores and ids are 32-bit integer columns: a cursor beyond that range is refused, not sent to the database.
const topCursor = z.object({ score: z.number().int().min(-MAX_ID).max(MAX_ID), id: idValue });

export function registerVoteRoutes(app: ServiceApp, voting: Voting) {
  const tags = ['votes'];
  const security = [{ bearerAuth: [] }];
  const voteDescription =
    "One vote per user and post. The post's author gains 1 karma per upvote and loses 1 per downvote, undone when " +
    'the vote changes or is retracted (self-votes count in the tally, not in karma). The vote is recorded even ' +
    'when the posts service is down or does not know the post (votes does not check that a post exists); karma ' +
    'follows once the author is known. A post the posts service says does not exist (never created, or deleted) is ' +
    'gone: its votes are recorded and counted, but move no karma and never appear in top lists or rank.';

  app.put(
    '/votes/:post_id',
    {
      schema: {
        tags,
        summary: 'Vote up or down, or retract the vote (none)',
        description: voteDescription,
        security,
        params: contract.postIdParams,
        body: contract.castVoteBody,
        response: { 200: contract.myVote },
      },
    },
    async (request) => voting.castVote(await actorOf(request), request.params.post_id, request.body.direction, request.id),
  );

  for (const direction of ['up', 'down'] as const) {
    app.post(
      `/votes/:post_id/${direction}vote`,
      {
        schema: {
          tags,
          summary: `${direction === 'up' ? 'Upvote' : 'Downvote'} a post (repeating it changes nothing)`,
          description: voteDescription,
          security,
          params: contract.postIdParams,
          response: { 200: contract.myVote },
        },
      },
      async (request) => voting.castVote(await actorOf(request), request.params.post_id, direction, request.id),
    );
  }

  app.get(
    '/votes',
    {
      schema: {
        tags,
        summary: "Tallies of several posts, with the caller's own vote when signed in",
        description:
          'The posts in the order given (an id given twice is listed once), zeros for posts nobody voted on. ' +
          "`my_vote` is there only when the request carries a user's token.",
        querystring: contract.talliesQuery,
        response: { 200: z.array(contract.tallyWithMyVote) },
      },
    },
    async (request) => voting.talliesOf(await actorOf(request), request.query.post_ids),
  );

  app.get(
    '/votes/top',
    {
      schema: {
        tags,
        summary: 'The top-scoring posts, overall or in one community; ties newest first',
        description:
          'Only posts with at least one vote (ever) appear, once the posts service has confirmed them; a deleted post ' + 'drops out.',
        querystring: z.object({
          limit: limitSchema,
          before: z.string().min(1).max(200).optional(),
          community: postsContract.communityName.optional(),
        }),
        response: { 200: z.array(contract.tally) },
      },
    },
    async (request, reply) => {
      const { limit, before, community } = request.query;
      const cursor = before === undefined ? undefined : decodeCursor(before, topCursor);
      const rows = await voting.listTop({
        community,
        after: cursor && { score: cursor.score, postId: cursor.id },
        limit: limit + 1,
      });
      const page = pageOf(rows, limit, (last) => ({ score: last.score, id: last.postId }));
      setNextLink(request, reply, page.next);
      return page.items.map((tally) => presentTally(tally.postId, tally));
    },
  );

  app.post(
    '/votes/rank',
    {
      schema: {
        tags,
        summary: 'Sort the given posts by score, highest first (ties newest first)',
        description:
          'Posts without votes score 0 (so do posts whose votes the posts service has not confirmed yet); deleted ' +
          'posts are left out; an id given twice is listed once.',
        body: contract.rankBody,
        response: { 200: z.array(contract.tally) },
      },
    },
    async (request) => voting.rankPosts(request.body.post_ids),
  );

  app.post(
    '/votes/:post_id/deleted',
    {
      schema: {
        tags,
        summary: 'Internal: the posts service deleted this post (its tally leaves top lists and rank, its karma is frozen)',
        description: 'Posts sends it through its outbox; repeating it changes nothing. Service `posts` or an admin.',
        security,
        params: contract.postIdParams,
        response: { 200: messageResponse },
      },
    },
    async (request) => {
      await voting.markPostDeleted(await actorOf(request), request.params.post_id);
      return { message: `Post ${request.params.post_id} is gone` };
    },
  );

  app.get(
    '/votes/:post_id',
    {
      schema: {
        tags,
        summary: "A post's tally (zeros when nobody voted)",
        params: contract.postIdParams,
        response: { 200: contract.tally },
      },
    },
    async (request) => voting.getTally(request.params.post_id),
  );
}

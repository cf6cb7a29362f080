import { scores as contract } from '@codeyard/contracts';
import { actorOf, created, cursorSchema, decodeCursor, idCursor, limitSchema, pageOf, type ServiceApp, setNextLink } from '@codeyard/service-kit';
import { z } from 'zod';
import { presentScore, type Scores } from '../domain/scores.js';
import type { ScoreRecord } from '../db/scores-repo.js';

const pageQuery = { limit: limitSchema, before: cursorSchema };

/** Takes `limit + 1` rows newest first; answers `limit` of them and the Link to the next page. */
function page(request: Parameters<typeof setNextLink>[0], reply: Parameters<typeof setNextLink>[1], rows: ScoreRecord[], limit: number) {
  const { items, next } = pageOf(rows, limit, (last) => ({ id: last.id }));
  setNextLink(request, reply, next);
  return items.map(presentScore);
}

const beforeIdOf = (before: string | undefined) => (before === undefined ? undefined : decodeCursor(before, idCursor).id);

export function registerScoreRoutes(app: ServiceApp, scores: Scores) {
  const tags = ['scores'];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/scores',
    {
      schema: {
        tags,
        summary: 'List scores, newest first',
        querystring: z.object({ ...contract.listScoresQuery.shape, ...pageQuery }),
        response: { 200: z.array(contract.score) },
      },
    },
    async (request, reply) => {
      const { exercise_id, user_id, limit, before } = request.query;
      const rows = await scores.list({ exerciseId: exercise_id, userId: user_id, beforeId: beforeIdOf(before), limit: limit + 1 });
      return page(request, reply, rows, limit);
    },
  );

  app.get(
    '/scores/leaderboard',
    {
      schema: {
        tags,
        summary: 'Users ranked by exercises solved',
        description:
          'Only users with at least one solved exercise. Ties on `solved`: the most recent `last_solved_at` first, then the higher ' +
          'user id. Usernames come from the users service (cached for a few minutes); when it is unreachable or the account ' +
          'was deleted, `username` is null — the leaderboard itself still answers.',
        querystring: z.object({ limit: limitSchema }),
        response: { 200: z.array(contract.leaderboardEntry) },
      },
    },
    async (request) => scores.leaderboard(request.query.limit, request.id),
  );

  app.get(
    '/scores/user',
    {
      schema: {
        tags,
        summary: "The caller's scores, newest first",
        security,
        querystring: z.object(pageQuery),
        response: { 200: z.array(contract.score) },
      },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const rows = await scores.listMine(await actorOf(request), { beforeId: beforeIdOf(before), limit: limit + 1 });
      return page(request, reply, rows, limit);
    },
  );

  app.get(
    '/scores/user/:id',
    {
      schema: {
        tags,
        summary: "The caller's score with this score id",
        description: "404 when the score does not exist or is someone else's.",
        security,
        params: contract.scoreIdParams,
        response: { 200: contract.score },
      },
    },
    async (request) => presentScore(await scores.getMine(await actorOf(request), request.params.id)),
  );

  app.get(
    '/scores/:id',
    { schema: { tags, summary: 'One score', params: contract.scoreIdParams, response: { 200: contract.score } } },
    async (request) => presentScore(await scores.requireScore(request.params.id)),
  );

  app.post(
    '/scores',
    {
      schema: {
        tags,
        summary: 'Create a score (internal services or admin)',
        description:
          'Starts with `attempts: 0`; `solved_at` is now when `correct` is true. 409 when the (user, exercise) pair has a score.',
        security,
        body: contract.createScoreBody,
        response: { 201: contract.score },
      },
    },
    async (request, reply) => {
      const score = await scores.create(await actorOf(request), request.body);
      created(reply, `/scores/${score.id}`);
      return presentScore(score);
    },
  );

  app.put(
    '/scores/:id',
    {
      schema: {
        tags,
        summary: 'Set whether a score is correct (internal services or admin)',
        description:
          'A correction: unlike a graded attempt it can set `correct` back to false (then `solved_at` becomes null); setting it ' +
          'true keeps an existing `solved_at` or sets it to now. `attempts` is unchanged.',
        security,
        params: contract.scoreIdParams,
        body: contract.replaceScoreBody,
        response: { 200: contract.score },
      },
    },
    async (request) => presentScore(await scores.replace(await actorOf(request), request.params.id, request.body)),
  );

  app.patch(
    '/scores',
    {
      schema: {
        tags,
        summary: 'Record one graded attempt: upsert of the (user, exercise) score (internal services or admin)',
        description:
          'This is how a graded submission reaches the score (the exercises service sends it through its outbox). Each call ' +
          'adds 1 to `attempts`; `correct` turns true with a correct attempt and never turns back to false; `solved_at` is the ' +
          '`submitted_at` (default: now) of the earliest correct attempt, so late or out-of-order deliveries record the true ' +
          'time. 201 when this created the score, 200 when it updated it. With `Idempotency-Key` the attempt is applied once: a ' +
          'repeat answers 200 with the current score (409 if the key was used for a different attempt).',
        security,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: contract.recordAttemptBody,
        response: { 200: contract.score, 201: contract.score },
      },
    },
    async (request, reply) => {
      const { score, created: isNew } = await scores.recordAttempt(await actorOf(request), request.body, request.headers['idempotency-key']);
      if (isNew) created(reply, `/scores/${score.id}`);
      return presentScore(score);
    },
  );
}

import { exercises as contract, messageResponse } from '@codeyard/contracts';
import { actorOf, created, cursorSchema, decodeCursor, idCursor, limitSchema, pageOf, type ServiceApp, setNextLink } from '@codeyard/service-kit';
import { z } from 'zod';
import { type Exercises, presentExercise } from '../domain/exercises.js';

export function registerExerciseRoutes(app: ServiceApp, exercises: Exercises) {
  const tags = ['exercises'];
  const security = [{ bearerAuth: [] }];
  const verification =
    'The reference solution is run in the eval sandbox against the examples and the hidden tests; if any test fails the ' +
    'answer is 400 and `errors` names each failing test (`examples.0`, `tests.2`, …) with why, plus a summary under ' +
    '`solution`. 503 with Retry-After when the sandbox is unavailable. Titles are unique (any letter case): 409. ' +
    '`difficulty` (easy, medium, hard) is `medium` when left out.';

  app.get(
    '/exercises',
    {
      schema: {
        tags,
        summary: 'List exercises in course order',
        description:
          'Oldest first — the order they were added, which for the seeded course is easy → hard. `before` is the opaque cursor ' +
          'from the `Link: rel="next"` header. `language` and `difficulty` filter. Administrators also get `tests` and `solution`.',
        querystring: z.object({ ...contract.listExercisesQuery.shape, limit: limitSchema, before: cursorSchema }),
        response: { 200: z.array(contract.exercise) },
      },
    },
    async (request, reply) => {
      const { language, difficulty, limit, before } = request.query;
      const afterId = before === undefined ? undefined : decodeCursor(before, idCursor).id;
      const rows = await exercises.list({ language, difficulty, afterId, limit: limit + 1 });
      const page = pageOf(rows, limit, (last) => ({ id: last.id }));
      setNextLink(request, reply, page.next);
      const actor = await actorOf(request);
      return page.items.map((exercise) => presentExercise(exercise, actor));
    },
  );

  app.get(
    '/exercises/:id',
    {
      schema: {
        tags,
        summary: 'One exercise',
        description: 'Hidden tests and the reference solution only for administrators.',
        params: contract.idParams,
        response: { 200: contract.exercise },
      },
    },
    async (request) => presentExercise(await exercises.requireExercise(request.params.id), await actorOf(request)),
  );

  app.post(
    '/exercises',
    {
      schema: {
        tags,
        summary: 'Create an exercise (admin)',
        description: verification,
        security,
        body: contract.exerciseBody,
        response: { 201: contract.exercise },
      },
    },
    async (request, reply) => {
      const exercise = await exercises.create(await actorOf(request), request.body, request.id);
      created(reply, `/exercises/${exercise.id}`);
      return presentExercise(exercise, await actorOf(request));
    },
  );

  app.put(
    '/exercises/:id',
    {
      schema: {
        tags,
        summary: 'Replace an exercise (admin)',
        description: `Same body as POST. ${verification} Earlier submissions keep the results they were graded with.`,
        security,
        params: contract.idParams,
        body: contract.exerciseBody,
        response: { 200: contract.exercise },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      return presentExercise(await exercises.replace(actor, request.params.id, request.body, request.id), actor);
    },
  );

  app.delete(
    '/exercises/:id',
    {
      schema: {
        tags,
        summary: 'Delete an exercise (admin)',
        description: "Its submissions are deleted with it; users' scores for it stay in the scores service.",
        security,
        params: contract.idParams,
        response: { 200: messageResponse },
      },
    },
    async (request) => {
      await exercises.remove(await actorOf(request), request.params.id);
      return { message: `Exercise ${request.params.id} deleted` };
    },
  );
}

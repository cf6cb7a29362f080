import { exercises as contract } from '@codeyard/contracts';
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
import { presentSubmission, type Submissions } from '../domain/submissions.js';

export function registerSubmissionRoutes(app: ServiceApp, submissions: Submissions) {
  const tags = ['submissions'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/exercises/:id/submissions',
    {
      schema: {
        tags,
        summary: 'Submit code for grading',
        description:
          'The code runs in the eval sandbox against the examples and then the hidden tests, named `test 1`, `test 2`, … in that ' +
          'order. Examples show `expected`, `actual` and why they failed; hidden tests show only their status and, for an error, ' +
          'the built-in error class at most (never their arguments, expected value or error message). `stdout` holds only ' +
          'what the program printed up to the end of the examples, at most 8 KiB (longer output ends with a truncation mark). The submission is ' +
          "stored and the caller's score updated: it is sent to the scores service through an outbox, so it is applied within " +
          'moments, and later (never lost) if scores is down. 503 with Retry-After, and nothing stored, when the sandbox is ' +
          `unavailable. ${IDEMPOTENCY_OPENAPI_NOTE}`,
        security,
        params: contract.idParams,
        headers: idempotencyHeaders,
        body: contract.submissionBody,
        response: { 201: contract.submission },
      },
    },
    async (request, reply) => {
      const response = await submissions.submit(await actorOf(request), request.params.id, request.body, {
        idempotencyKey: request.headers['idempotency-key'],
        requestId: request.id,
      });
      created(reply, `/submissions/${response.body.id}`);
      if (response.replayed) reply.header('idempotent-replayed', 'true');
      return response.body;
    },
  );

  app.get(
    '/exercises/:id/submissions',
    {
      schema: {
        tags,
        summary: "The caller's submissions to an exercise, newest first",
        security,
        params: contract.idParams,
        querystring: z.object({ limit: limitSchema, before: cursorSchema }),
        response: { 200: z.array(contract.submission) },
      },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const beforeId = before === undefined ? undefined : decodeCursor(before, idCursor).id;
      const rows = await submissions.listMine(await actorOf(request), request.params.id, { beforeId, limit: limit + 1 });
      const page = pageOf(rows, limit, (last) => ({ id: last.id }));
      setNextLink(request, reply, page.next);
      const actor = await actorOf(request);
      return page.items.map((submission) => presentSubmission(submission, actor));
    },
  );

  app.get(
    '/submissions/:id',
    {
      schema: {
        tags,
        summary: 'One submission (its owner or an admin)',
        description: "404 for anyone else's. Administrators also see the hidden tests' expected and actual values.",
        security,
        params: contract.idParams,
        response: { 200: contract.submission },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      return presentSubmission(await submissions.get(actor, request.params.id), actor);
    },
  );
}

import { actorOf, type ServiceApp } from '@codeyard/service-kit';
import { z } from 'zod';
import { evaluate } from '../domain/evaluate.js';
import { evalRequestSchema, type SandboxPool } from '../sandbox/index.js';

const runStatus = z.enum(['passed', 'failed', 'error', 'timeout', 'memory_limit', 'output_limit']);

export const evalResultSchema = z
  .object({
    status: runStatus,
    passed: z.number().int(),
    total: z.number().int(),
    results: z.array(
      z.object({
        name: z.string(),
        status: runStatus,
        expected: z.unknown().optional(),
        actual: z.unknown().optional(),
        message: z.string().optional(),
        duration_ms: z.number(),
      }),
    ),
    stdout: z.string(),
    duration_ms: z.number(),
    message: z.string().optional(),
  })
  .meta({ id: 'EvalResult' });

export function registerEvalRoutes(app: ServiceApp, pool: SandboxPool) {
  const tags = ['eval'];
  app.post(
    '/eval',
    {
      schema: {
        tags,
        summary: 'Run a program against data tests in the sandbox',
        description:
          'For signed-in users (rate limited at the gateway) and internal services. A program that loops, exhausts memory, prints too much or throws gets that status in a 200; 503 with Retry-After when the sandbox queue is full. Defaults: 2 s per run, 64 MB, 64 KB of stdout (results carry at most 8 KiB of it, and values and messages at most 4 KiB, with a visible truncation mark). limits may lower the defaults; only the exercises service may raise them, up to 5 000 ms and 256 MB (400 otherwise). stdout_tests keeps only the output written up to the end of the first N tests.',
        security: [{ bearerAuth: [] }],
        body: evalRequestSchema,
        response: { 200: evalResultSchema },
      },
    },
    async (request) => evaluate(pool, await actorOf(request), request.body),
  );

  app.get(
    '/eval/languages',
    {
      schema: {
        tags,
        summary: 'Languages the sandbox runs, with their versions',
        response: { 200: z.array(z.object({ language: z.enum(['javascript', 'typescript', 'python']), version: z.string() })) },
      },
    },
    async () => pool.languages(),
  );
}

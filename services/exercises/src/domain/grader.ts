import { exercises as contracts } from '@codeyard/contracts';
import { AppError, badRequest, type ServiceClient, serviceUnavailable, truncateText } from '@codeyard/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { StoredTestResult } from '../db/submissions-repo.js';

export interface GradingRequest {
  language: contracts.Language;
  code: string;
  entrypoint: string;
  tests: contracts.TestCase[];
  /** Keep only the output written up to the end of the first N tests (the examples). */
  stdout_tests?: number;
  /** The user the grading is for: eval limits how many of one user's runs use its workers at once. */
  user_id?: number;
}

export interface GradingResult {
  status: contracts.RunStatus;
  passed: number;
  total: number;
  results: StoredTestResult[];
  stdout: string;
  durationMs: number;
}

export interface Grader {
  /**
   * Runs `code` against `tests` in the eval sandbox. 503 (Retry-After) when eval cannot answer; 400
   * naming `field` (where the code came from) when the sandbox refuses the program itself.
   */
  grade(request: GradingRequest, requestId: string, field?: string): Promise<GradingResult>;
}

/** What `POST /eval` answers; read defensively, since it is another service's output. */
const evalResponse = z.object({
  status: contracts.runStatus,
  passed: z.number().int().min(0),
  total: z.number().int().min(0),
  results: z.array(
    z.object({
      name: z.string().optional(),
      status: z.string(),
      expected: contracts.jsonValue.optional(),
      actual: contracts.jsonValue.optional(),
      message: z.string().optional(),
      duration_ms: z.number().min(0).optional(),
    }),
  ),
  stdout: z.string().default(''),
  duration_ms: z.number().min(0).default(0),
});

/** At most this much of a program's output, and of each test's message, is kept with a submission. */
const STDOUT_LIMIT_BYTES = 8 * 1024;
const MESSAGE_LIMIT_BYTES = 4 * 1024;

export function createEvalGrader(options: { eval: ServiceClient; timeoutMs: number; logger: FastifyBaseLogger }): Grader {
  return {
    async grade(request, requestId, field = 'code') {
      const response = await options.eval('POST', '/eval', { body: request, requestId, timeoutMs: options.timeoutMs });
      if (response.status === 200) {
        const parsed = evalResponse.safeParse(response.body);
        if (!parsed.success) {
          options.logger.error({ issues: parsed.error.issues.slice(0, 5) }, 'eval answered in an unexpected shape');
          throw serviceUnavailable('The eval service gave an answer we could not read');
        }
        const result = parsed.data;
        return {
          status: result.status,
          passed: result.passed,
          total: result.total,
          results: result.results.map((test, index) => ({
            ...test,
            ...(test.message !== undefined && { message: truncateText(test.message, MESSAGE_LIMIT_BYTES) }),
            name: `test ${index + 1}`,
            duration_ms: Math.round(test.duration_ms ?? 0),
          })),
          stdout: truncateText(result.stdout, STDOUT_LIMIT_BYTES),
          durationMs: Math.round(result.duration_ms),
        };
      }
      if (response.status === 400) {
        // The sandbox refused the program itself (e.g. too large); that is the caller's input.
        const body = response.body as { message?: unknown } | undefined;
        const reason = typeof body?.message === 'string' ? body.message : 'The sandbox refused to run this code';
        throw badRequest(reason, { [field]: reason });
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      options.logger.warn({ status: response.status }, 'eval could not grade');
      throw new AppError(503, 'The eval service cannot grade right now; try again shortly', {
        headers: { 'retry-after': String(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 120) : 5) },
      });
    },
  };
}

import type { exercises as contracts } from '@codeyard/contracts';
import {
  type Actor,
  enqueueEvent,
  findIdempotentResponse,
  type IdempotentResponse,
  isAdmin,
  isForeignKeyViolation,
  notFound,
  requestHash,
  requireUser,
  withIdempotency,
} from '@codeyard/service-kit';
import type { Kysely } from 'kysely';
import type { ExercisesDatabase } from '../db/schema.js';
import type { StoredTestResult, SubmissionRecord, SubmissionsRepo } from '../db/submissions-repo.js';
import type { Exercises } from './exercises.js';
import { describeFailure } from './exercises.js';
import type { Grader } from './grader.js';

const HIDDEN_WRONG_ANSWER = 'Wrong answer on a hidden test (its arguments and expected value are not shown)';
const HIDDEN_STATUS_MESSAGES: Record<string, string> = {
  timeout: 'The time limit was exceeded on a hidden test',
  memory_limit: 'The memory limit was exceeded on a hidden test',
  output_limit: 'The output limit was exceeded on a hidden test',
};

/**
 * Error classes a hidden test may name. A program chooses its own class names (and can build one
 * from the test's arguments), so only the engines' built-in ones are shown.
 */
const BUILT_IN_ERROR_CLASSES = new Set([
  // JavaScript
  'Error',
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'EvalError',
  'URIError',
  'AggregateError',
  'InternalError',
  // Python
  'Exception',
  'ArithmeticError',
  'AssertionError',
  'AttributeError',
  'IndexError',
  'KeyError',
  'LookupError',
  'NameError',
  'NotImplementedError',
  'OverflowError',
  'RecursionError',
  'RuntimeError',
  'StopIteration',
  'UnboundLocalError',
  'ValueError',
  'ZeroDivisionError',
  'ImportError',
  'ModuleNotFoundError',
  'MemoryError',
  'SystemExit',
]);

function hiddenErrorMessage(message: string | undefined): string {
  const errorClass = /^([A-Za-z]+)(?::|$)/.exec(message ?? '')?.[1];
  return errorClass !== undefined && BUILT_IN_ERROR_CLASSES.has(errorClass)
    ? `${errorClass} on a hidden test (its message is not shown)`
    : 'Error on a hidden test (its message is not shown)';
}

/**
 * A result as the submitter sees it. Examples show expected and actual, and a failure says why.
 * A hidden test shows its status and, for an error, the built-in error class at most: a program
 * can put its arguments into any message it raises or prints.
 */
function presentResult(result: StoredTestResult, hidden: boolean): contracts.TestResult {
  const failedBecause = result.status === 'passed' ? undefined : describeFailure(result);
  if (!hidden) return { ...result, ...(failedBecause !== undefined && { message: failedBecause }) };
  const message =
    result.status === 'passed'
      ? undefined
      : result.status === 'failed'
        ? HIDDEN_WRONG_ANSWER
        : result.status === 'error'
          ? hiddenErrorMessage(result.message)
          : (HIDDEN_STATUS_MESSAGES[result.status] ?? 'A hidden test did not pass');
  return { name: result.name, status: result.status, ...(message !== undefined && { message }), duration_ms: result.duration_ms };
}

/** The submission of the contract; administrators also see the hidden tests' values. */
export function presentSubmission(submission: SubmissionRecord, viewer: Actor | null): contracts.Submission {
  const revealHidden = isAdmin(viewer);
  return {
    id: submission.id,
    exercise_id: submission.exerciseId,
    user_id: submission.userId,
    code: submission.code,
    status: submission.status,
    passed: submission.passed,
    total: submission.total,
    results: submission.results.map((result, index) => presentResult(result, index >= submission.exampleCount && !revealHidden)),
    stdout: submission.stdout,
    duration_ms: submission.durationMs,
    created_at: submission.createdAt,
  };
}

/** The score event a graded submission sends through the outbox (see scores' PATCH /scores). */
export function scoreEventOf(submission: SubmissionRecord) {
  return {
    destination: 'scores',
    method: 'PATCH' as const,
    path: '/scores',
    body: {
      user_id: submission.userId,
      exercise_id: submission.exerciseId,
      correct: submission.status === 'passed' && submission.passed === submission.total,
      submitted_at: submission.createdAt,
    },
  };
}

export function createSubmissions(deps: {
  db: Kysely<ExercisesDatabase>;
  submissions: SubmissionsRepo;
  exercises: Exercises;
  grader: Grader;
  /** Called after a submission (and its score event) committed: wakes the outbox relay. */
  onSubmitted?: () => void;
}) {
  const { db, submissions, exercises, grader } = deps;

  return {
    /**
     * Grades the code in the sandbox, then stores the submission and its score event in one
     * transaction: the score follows even if the scores service is down right now. With an
     * Idempotency-Key a repeat returns the first response without grading again.
     */
    async submit(
      actor: Actor | null,
      exerciseId: number,
      input: { code: string },
      options: { idempotencyKey: string | undefined; requestId: string },
    ): Promise<IdempotentResponse<contracts.Submission>> {
      const user = requireUser(actor);
      const exercise = await exercises.requireExercise(exerciseId);
      const idempotency = { userId: user.id, key: options.idempotencyKey, request: { exercise_id: exerciseId, code: input.code } };
      if (idempotency.key !== undefined) {
        const scope = { userId: user.id, key: idempotency.key, requestHash: requestHash(idempotency.request) };
        const stored = await findIdempotentResponse<contracts.Submission>(db, scope);
        if (stored) return stored;
      }
      const result = await grader.grade(
        {
          language: exercise.language,
          code: input.code,
          entrypoint: exercise.entrypoint,
          tests: [...exercise.examples, ...exercise.tests],
          // What a program prints while hidden tests run could show their arguments.
          stdout_tests: exercise.examples.length,
          user_id: user.id,
        },
        options.requestId,
      );
      let response: IdempotentResponse<contracts.Submission>;
      try {
        response = await withIdempotency(db, idempotency, async (trx) => {
          const submission = await submissions.insert(
            {
              exerciseId,
              userId: user.id,
              code: input.code,
              status: result.status,
              passed: result.passed,
              total: result.total,
              results: result.results,
              stdout: result.stdout,
              durationMs: result.durationMs,
              exampleCount: exercise.examples.length,
              createdAt: new Date().toISOString(),
            },
            trx,
          );
          await enqueueEvent(trx, scoreEventOf(submission));
          return { statusCode: 201, body: presentSubmission(submission, actor) };
        });
      } catch (error) {
        // The exercise was deleted while the code was being graded.
        if (isForeignKeyViolation(error)) throw notFound(`Exercise ${exerciseId} does not exist`);
        throw error;
      }
      if (!response.replayed) deps.onSubmitted?.();
      return response;
    },

    async listMine(actor: Actor | null, exerciseId: number, page: { beforeId?: number | undefined; limit: number }) {
      const user = requireUser(actor);
      await exercises.requireExercise(exerciseId);
      return submissions.listByUser({ exerciseId, userId: user.id, ...page });
    },

    /** The owner's or any submission for an admin; anyone else gets a 404, as if it did not exist. */
    async get(actor: Actor | null, id: number): Promise<SubmissionRecord> {
      const user = requireUser(actor);
      const submission = await submissions.findById(id);
      if (!submission || (submission.userId !== user.id && !user.admin)) throw notFound(`Submission ${id} does not exist`);
      return submission;
    },
  };
}

export type Submissions = ReturnType<typeof createSubmissions>;

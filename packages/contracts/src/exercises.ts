import { z } from 'zod';
import { idParam, timestamp } from './common.js';

export const idParams = z.object({ id: idParam });

export const languages = ['javascript', 'typescript', 'python'] as const;
export const language = z.enum(languages, { error: `must be one of ${languages.join(', ')}` });
export type Language = z.infer<typeof language>;

/** How hard an exercise is, for learners choosing one; `medium` when an admin does not say. */
export const difficulties = ['easy', 'medium', 'hard'] as const;
export const difficulty = z.enum(difficulties, { error: `must be one of ${difficulties.join(', ')}` });
export type Difficulty = z.infer<typeof difficulty>;
export const defaultDifficulty: Difficulty = 'medium';

/** Any JSON value: an argument or an expected result. */
// Request bodies are parsed JSON already, so any value here is JSON; z.json() would say the same
// but its recursive schema breaks the merged OpenAPI document's references.
export const jsonValue = z
  .unknown()
  .refine((value) => value !== undefined, 'is required')
  .meta({ description: 'any JSON value' });

/** One call of the entrypoint: `entrypoint(...args)` must return `expected` (deep equality). */
export const testCase = z
  .object({
    args: z.array(jsonValue).max(20, 'at most 20 arguments'),
    expected: jsonValue,
  })
  .meta({ id: 'TestCase' });
export type TestCase = z.infer<typeof testCase>;

/** What a graded submission (or a sandbox run) ended as. */
export const runStatuses = ['passed', 'failed', 'error', 'timeout', 'memory_limit', 'output_limit'] as const;
export const runStatus = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatus>;

/**
 * The exercise as everyone sees it. Administrators also get `tests` (the hidden tests) and
 * `solution` (the reference solution).
 */
export const exercise = z
  .object({
    id: z.number().int(),
    title: z.string(),
    /** The statement, in Markdown. */
    body: z.string(),
    language,
    difficulty,
    /** The function a submission must define; each test calls it with the test's `args`. */
    entrypoint: z.string(),
    starter_code: z.string(),
    /** Public tests, shown to users; graded together with the hidden tests. */
    examples: z.array(testCase),
    tests: z.array(testCase).optional(),
    solution: z.string().optional(),
    created_at: timestamp,
  })
  .meta({ id: 'Exercise' });
export type Exercise = z.infer<typeof exercise>;

const required = 'is required';

export const exerciseBody = z.object({
  title: z.string({ error: required }).trim().min(1, required).max(200, 'must be at most 200 characters'),
  body: z.string({ error: required }).min(1, required).max(20_000, 'must be at most 20 000 characters'),
  language,
  difficulty: difficulty.default(defaultDifficulty),
  entrypoint: z
    .string({ error: required })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a function name: a letter or _, then letters, digits or _ (at most 64)'),
  starter_code: z.string().max(20_000, 'must be at most 20 000 characters').default(''),
  examples: z.array(testCase, { error: required }).min(1, 'give at least one example').max(10, 'at most 10 examples'),
  tests: z.array(testCase, { error: required }).min(1, 'give at least one hidden test').max(50, 'at most 50 hidden tests'),
  solution: z.string({ error: required }).min(1, required).max(50_000, 'must be at most 50 000 characters'),
});
export type ExerciseBody = z.infer<typeof exerciseBody>;

export const listExercisesQuery = z.object({ language: language.optional(), difficulty: difficulty.optional() });

/**
 * One test of a graded submission. Tests are named `test 1`, `test 2`, … — the examples first, in
 * their order, then the hidden tests. For hidden tests `expected` and `actual` are never shown,
 * and the message is generic: a wrong answer, a time-out, or an error with its built-in class at
 * most. Values and messages longer than 4 KiB end with a truncation mark.
 */
export const testResult = z
  .object({
    name: z.string(),
    status: z.string().meta({ description: 'passed, failed, error, timeout, … as the sandbox reports it' }),
    expected: jsonValue.optional(),
    actual: jsonValue.optional(),
    message: z.string().optional(),
    duration_ms: z.number(),
  })
  .meta({ id: 'TestResult' });
export type TestResult = z.infer<typeof testResult>;

export const submission = z
  .object({
    id: z.number().int(),
    exercise_id: z.number().int(),
    user_id: z.number().int(),
    /** The submitted source code. */
    code: z.string(),
    status: runStatus,
    passed: z.number().int(),
    total: z.number().int(),
    results: z.array(testResult),
    /** What the program printed up to the end of the examples (never during hidden tests), at most 8 KiB. */
    stdout: z.string(),
    duration_ms: z.number(),
    created_at: timestamp,
  })
  .meta({ id: 'Submission' });
export type Submission = z.infer<typeof submission>;

export const submissionBody = z.object({
  code: z.string({ error: required }).min(1, required).max(100_000, 'must be at most 100 000 characters'),
});

import { z } from 'zod';
import { nestsAtMost } from './value-wire.js';

export const MAX_CODE_CHARS = 100_000;
export const MAX_TESTS = 100;
export const MAX_ENTRYPOINT_CHARS = 64;
export const MAX_TIME_MS = 5_000;
export const MAX_MEMORY_MB = 256;

const javascriptIdentifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const pythonIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Deeper values are refused at the door: every later step (compare, report, serialise) is bounded by it. */
export const MAX_VALUE_NESTING = 64;

const boundedJsonValue = z.unknown().refine((value) => nestsAtMost(value, MAX_VALUE_NESTING), {
  message: `must not nest arrays and objects more than ${MAX_VALUE_NESTING} levels deep`,
});

export const testCaseSchema = z.object({
  args: z.array(boundedJsonValue),
  expected: boundedJsonValue,
  name: z.string().min(1).max(200).optional(),
});

export const evalLimitsSchema = z.object({
  time_ms: z.number().int().min(1).max(MAX_TIME_MS).optional(),
  memory_mb: z.number().int().min(1).max(MAX_MEMORY_MB).optional(),
});

export const evalRequestSchema = z
  .object({
    language: z.enum(['javascript', 'typescript', 'python']),
    code: z.string().min(1).max(MAX_CODE_CHARS),
    entrypoint: z.string().min(1).max(MAX_ENTRYPOINT_CHARS).regex(javascriptIdentifier, 'entrypoint must be an identifier'),
    tests: z.array(testCaseSchema).min(1).max(MAX_TESTS),
    limits: evalLimitsSchema.optional(),
    /**
     * Return only the output written up to the end of the first N tests (the program's top-level
     * output included). exercises sets it to the number of examples, so output printed while a
     * hidden test runs never reaches the submitter.
     */
    stdout_tests: z.number().int().min(1).max(MAX_TESTS).optional(),
    /** For internal services: the user the run is for, so per-user fairness applies (ignored from users). */
    user_id: z.number().int().min(1).max(2_147_483_647).optional(),
  })
  .refine((request) => request.language !== 'python' || pythonIdentifier.test(request.entrypoint), {
    message: 'entrypoint must be a Python identifier',
    path: ['entrypoint'],
  });

export type EvalRequestInput = z.input<typeof evalRequestSchema>;

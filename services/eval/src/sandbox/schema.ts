import { z } from 'zod';

export const MAX_CODE_CHARS = 100_000;
export const MAX_TESTS = 100;
export const MAX_ENTRYPOINT_CHARS = 64;
export const MAX_TIME_MS = 5_000;
export const MAX_MEMORY_MB = 256;

const javascriptIdentifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const pythonIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const testCaseSchema = z.object({
  args: z.array(z.unknown()),
  expected: z.unknown(),
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
  })
  .refine((request) => request.language !== 'python' || pythonIdentifier.test(request.entrypoint), {
    message: 'entrypoint must be a Python identifier',
    path: ['entrypoint'],
  });

export type EvalRequestInput = z.input<typeof evalRequestSchema>;

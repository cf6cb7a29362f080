import { expect } from 'vitest';
import type { EvalLimits, EvalRequest, EvalResult, Language, SandboxPool, TestCase } from '../../src/sandbox/index.js';

/**
 * Programs that must time out get a short limit to keep the suite fast. Everything else gets a
 * generous one, so a busy machine (other test files, other services) cannot turn an expected
 * error or memory_limit into a timeout.
 */
export const SHORT_TIME_LIMITS: EvalLimits = { time_ms: 600, memory_mb: 32 };
export const GENEROUS_TIME_LIMITS: EvalLimits = { time_ms: 5_000, memory_mb: 32 };

export interface RequestOptions {
  entrypoint?: string;
  tests?: TestCase[];
  limits?: EvalLimits;
}

export function evalRequest(language: Language, code: string, options: RequestOptions = {}): EvalRequest {
  return {
    language,
    code,
    entrypoint: options.entrypoint ?? 'solve',
    tests: options.tests ?? [{ args: [], expected: null }],
    limits: options.limits ?? GENEROUS_TIME_LIMITS,
  };
}

/** A secret-looking line of /etc/passwd and this process's own environment must never reach a result. */
export function expectNothingLeaked(result: EvalResult): void {
  const serialised = JSON.stringify(result);
  expect(serialised).not.toContain('root:x:0:0');
  expect(serialised).not.toMatch(/\/bin\/(ba)?sh/);
  const hostPath = process.env.PATH;
  if (hostPath) expect(serialised).not.toContain(hostPath);
  expect(serialised).not.toContain('/work/main');
}

/** The service process is untouched and the pool still grades an ordinary solution. */
export async function expectHealthyAfterwards(pool: SandboxPool, language: Language): Promise<void> {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(typeof process.env.PATH).toBe('string');
  const code =
    language === 'python' ? 'def solve(a, b):\n    return a + b\n' : 'function solve(a: number, b: number): number { return a + b }';
  const result = await pool.run(
    evalRequest(language === 'python' ? 'python' : 'typescript', code, {
      tests: [
        { args: [1, 2], expected: 3 },
        { args: [-5, 5], expected: 0 },
      ],
      limits: { time_ms: 2_000 },
    }),
  );
  expect(result).toMatchObject({ status: 'passed', passed: 2, total: 2 });
}

export function firstMessage(result: EvalResult): string {
  return result.results[0]?.message ?? '';
}

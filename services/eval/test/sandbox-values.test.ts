import { describe, expect, it } from 'vitest';
import { compileJavaScript } from '../src/sandbox/compile-javascript.js';
import { jsonValuesEqual } from '../src/sandbox/json-equality.js';
import { evalRequestSchema } from '../src/sandbox/schema.js';
import { decodeWire, encodeWire, toReportableValue } from '../src/sandbox/value-wire.js';

describe('jsonValuesEqual', () => {
  it.each([
    [0, -0, true],
    [Number.NaN, Number.NaN, true],
    [Number.NaN, null, false],
    [1, '1', false],
    [1, true, false],
    [null, undefined, false],
    [[1, [2]], [1, [2]], true],
    [[1, 2], [2, 1], false],
    [{ a: 1, b: [2] }, { b: [2], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[], {}, false],
    [{ length: 0 }, [], false],
  ])('compares %j with %j as %s', (expected, actual, equal) => {
    expect(jsonValuesEqual(expected, actual)).toBe(equal);
  });
});

describe('value wire format', () => {
  it('round-trips values JSON cannot hold', () => {
    const value = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, { nested: [Number.NaN] }];
    const decoded = decodeWire(encodeWire(value)) as unknown[];
    expect(decoded[0]).toBeNaN();
    expect(decoded[1]).toBe(Number.POSITIVE_INFINITY);
    expect(decoded[2]).toBe(Number.NEGATIVE_INFINITY);
    expect((decoded[3] as { nested: number[] }).nested[0]).toBeNaN();
    expect(decodeWire(encodeWire(undefined))).toBeUndefined();
  });

  it('refuses cyclic arguments instead of hanging', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeWire(cyclic)).toThrow(TypeError);
  });

  it('reports non-finite numbers as strings so results stay JSON', () => {
    expect(toReportableValue({ a: [Number.NaN, 1, Number.NEGATIVE_INFINITY] })).toEqual({ a: ['NaN', 1, '-Infinity'] });
  });
});

describe('compileJavaScript', () => {
  it('describes a syntax error with line and column', async () => {
    const outcome = await compileJavaScript('javascript', 'function solve() {\n  return 1 +;\n}');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/^SyntaxError: .+ \(line 2, column 13\)\n {4} {2}return 1 \+;/);
  });

  it('strips TypeScript types and maps generated lines back to the submitted ones', async () => {
    const outcome = await compileJavaScript(
      'typescript',
      'interface A { x: number }\n\n\nexport function solve(a: A): number {\n  throw new Error("x" + a.x)\n}',
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.code).not.toContain('interface');
    const generatedThrowLine = outcome.code.split('\n').findIndex((line) => line.includes('throw')) + 1;
    expect(outcome.originalLineOf[generatedThrowLine - 1]).toBe(5);
  });
});

describe('evalRequestSchema', () => {
  const valid = { language: 'python', code: 'def f(): pass', entrypoint: 'f', tests: [{ args: [], expected: null }] };

  it('accepts a minimal request', () => {
    expect(evalRequestSchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    ['an unknown language', { language: 'ruby' }],
    ['code over 100 000 characters', { code: 'x'.repeat(100_001) }],
    ['an entrypoint that is not an identifier', { entrypoint: 'f()' }],
    ['an entrypoint over 64 characters', { entrypoint: 'f'.repeat(65) }],
    ['a $ in a Python entrypoint', { entrypoint: '$f' }],
    ['no tests', { tests: [] }],
    ['101 tests', { tests: Array.from({ length: 101 }, () => ({ args: [], expected: 1 })) }],
    ['args that are not an array', { tests: [{ args: 1, expected: 1 }] }],
    ['time_ms above 5000', { limits: { time_ms: 5_001 } }],
    ['memory_mb above 256', { limits: { memory_mb: 257 } }],
  ])('rejects %s', (_case, override) => {
    expect(evalRequestSchema.safeParse({ ...valid, ...override }).success).toBe(false);
  });
});

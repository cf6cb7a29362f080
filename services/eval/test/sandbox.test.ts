import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxPool, type EvalResult, type SandboxPool } from '../src/sandbox/index.js';
import {
  evalRequest,
  expectHealthyAfterwards,
  expectNothingLeaked,
  GENEROUS_TIME_LIMITS,
  SHORT_TIME_LIMITS,
  firstMessage,
  type RequestOptions,
} from './sandbox-fixtures/sandbox-requests.js';

let pool: SandboxPool;

beforeAll(async () => {
  pool = createSandboxPool({ workers: 2, queueLimit: 64 });
  await pool.warmUp();
}, 120_000);

afterAll(async () => {
  await pool?.close();
});

const runJs = (code: string, options?: RequestOptions) => pool.run(evalRequest('javascript', code, options));
const runTs = (code: string, options?: RequestOptions) => pool.run(evalRequest('typescript', code, options));
const runPy = (code: string, options?: RequestOptions) => pool.run(evalRequest('python', code, options));

function expectStatus(result: EvalResult, status: EvalResult['status']): void {
  expect(result.status, JSON.stringify(result).slice(0, 1_000)).toBe(status);
}

describe('JavaScript: runaway time', () => {
  it('stops while(true){} with timeout', async () => {
    const result = await runJs('function solve() { while (true) {} }', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
    expect(firstMessage(result)).toContain('600 ms');
  });

  it('stops a loop that tries to catch the interrupt', async () => {
    const result = await runJs('function solve() { for (;;) { try { while (true) {} } catch (e) {} } }', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
  });

  it('stops an infinite loop in top-level code before any test runs', async () => {
    const result = await runJs('for (;;) {}\nfunction solve() { return 1 }', {
      limits: SHORT_TIME_LIMITS,
      tests: [
        { args: [], expected: 1 },
        { args: [], expected: 1 },
      ],
    });
    expectStatus(result, 'timeout');
    expect(result.results.map((test) => test.status)).toEqual(['timeout', 'timeout']);
  });

  it('stops a Date.now() busy-wait', async () => {
    const result = await runJs('function solve() { const end = Date.now() + 60_000; while (Date.now() < end) {} return 1 }', {
      limits: SHORT_TIME_LIMITS,
    });
    expectStatus(result, 'timeout');
  });

  it('stops an endless chain of microtasks', async () => {
    const result = await runJs('async function solve() { for (;;) { await null } }', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
  });

  it('has no timers to abuse: setTimeout is not defined', async () => {
    const result = await runJs('function solve() { setTimeout(() => { while (true) {} }, 0); return 1 }', {
      tests: [{ args: [], expected: 1 }],
    });
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('setTimeout');
  });

  it('kills the worker when catastrophic regex backtracking never reaches an interrupt check', async () => {
    const result = await runJs('function solve() { return /(a+)+$/.test("a".repeat(40) + "b") }', {
      limits: { time_ms: 400 },
    });
    expectStatus(result, 'timeout');
    expect(result.duration_ms).toBeLessThan(3_000);
  });

  it('stops an infinite loop hidden in eval()', async () => {
    const result = await runJs('function solve() { eval("while (true) {}") }', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
  });

  it('stops toJSON that loops while the return value is converted', async () => {
    const result = await runJs('function solve() { return { toJSON() { for (;;) {} } } }', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'javascript');
  });
});

describe('JavaScript: recursion and memory', () => {
  it('reports unbounded recursion as an error, not a crash', async () => {
    const result = await runJs('function solve() { return solve() + 1 }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('stack overflow');
  });

  it('reports deep mutual recursion as an error', async () => {
    const result = await runJs(
      'function ping(n) { return pong(n + 1) }\nfunction pong(n) { return ping(n + 1) }\nfunction solve() { return ping(0) }',
    );
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('stack overflow');
  });

  it('survives JSON.parse of data nested 100 000 levels deep (native recursion)', async () => {
    const result = await runJs('function solve() { return JSON.parse("[".repeat(100000) + "]".repeat(100000)).length }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('stack overflow');
  });

  it('stops array doubling at the memory limit', async () => {
    const result = await runJs('function solve() { let a = [1]; for (;;) a = a.concat(a) }', { limits: { time_ms: 3_000, memory_mb: 32 } });
    expectStatus(result, 'memory_limit');
    expect(firstMessage(result)).toContain('32 MB');
  });

  it('stops string doubling at the memory limit', async () => {
    const result = await runJs('function solve() { let s = "x"; for (;;) s += s }');
    expectStatus(result, 'memory_limit');
  });

  it('stops a typed-array bomb at the memory limit', async () => {
    const result = await runJs('function solve() { const held = []; for (;;) held.push(new Float64Array(1e6)) }');
    expectStatus(result, 'memory_limit');
  });

  it('stops a single huge allocation at the memory limit', async () => {
    const result = await runJs('function solve() { return new Array(1e9).fill(0).length }');
    expectStatus(result, 'memory_limit');
  });

  it('keeps memory capped when the program catches out-of-memory and keeps allocating', async () => {
    const result = await runJs(
      'function solve() { const held = []; for (;;) { try { held.push(new Array(1e6).fill(7)) } catch (e) {} } }',
      { limits: SHORT_TIME_LIMITS },
    );
    expectStatus(result, 'timeout');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'javascript');
  });
});

describe('JavaScript: output', () => {
  it('stops console.log in a loop at the output limit', async () => {
    const result = await runJs('function solve() { for (;;) console.log("spam spam spam") }');
    expectStatus(result, 'output_limit');
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(65_536);
    expect(result.stdout.startsWith('spam spam spam\n')).toBe(true);
  });

  it('truncates one enormous console.log at the output limit', async () => {
    const result = await runJs('function solve() { console.log("x".repeat(5_000_000)); return 1 }', { tests: [{ args: [], expected: 1 }] });
    expectStatus(result, 'output_limit');
    // The run stops at 64 KiB of output; the result carries the first 8 KiB of it, marked as cut.
    expect(result.stdout).toBe(`${'x'.repeat(8_192)}… [truncated: 65536 bytes in all]`);
  });

  it('captures ordinary console output of every test in order', async () => {
    const result = await runJs('function solve(n) { console.log("n is", n, { n }); console.error("err", [n]); return n }', {
      tests: [
        { args: [1], expected: 1 },
        { args: [2], expected: 2 },
      ],
    });
    expectStatus(result, 'passed');
    expect(result.stdout).toBe('n is 1 { n: 1 }\nerr [ 1 ]\nn is 2 { n: 2 }\nerr [ 2 ]\n');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'javascript');
  });
});

describe('JavaScript: reaching for the host', () => {
  it('cannot require fs to read /etc/passwd', async () => {
    const result = await runJs('function solve() { return require("fs").readFileSync("/etc/passwd", "utf8") }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain("require('fs') is not available");
    expectNothingLeaked(result);
  });

  it('cannot import node:fs as an ES module', async () => {
    const result = await runJs(
      'import { readFileSync } from "node:fs";\nexport function solve() { return readFileSync("/etc/passwd", "utf8") }',
    );
    expectStatus(result, 'error');
    expectNothingLeaked(result);
  });

  it('cannot load node:fs with dynamic import()', async () => {
    const result = await runJs(
      'async function solve() { const fs = await import("node:fs"); return fs.readFileSync("/etc/passwd", "utf8") }',
    );
    expectStatus(result, 'error');
    expect(firstMessage(result)).toMatch(/module|import/i);
    expectNothingLeaked(result);
  });

  it('has no process.binding', async () => {
    const result = await runJs('function solve() { return process.binding("fs") }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toMatch(/ReferenceError: '?process'? is not defined/);
  });

  it('has no process.env', async () => {
    const result = await runJs('function solve() { return process.env }');
    expectStatus(result, 'error');
    expectNothingLeaked(result);
  });

  it('cannot start a child process', async () => {
    const result = await runJs('function solve() { return require("child_process").execSync("id").toString() }');
    expectStatus(result, 'error');
    expect(result.stdout).not.toContain('uid=');
  });

  it('cannot climb this.constructor.constructor to the host process', async () => {
    const result = await runJs('function solve() { return this.constructor.constructor("return process")().pid }');
    expectStatus(result, 'error');
  });

  it('finds only ECMAScript built-ins and console on the guest global object', async () => {
    const result = await runJs('function solve() { const g = Function("return this")(); return Object.getOwnPropertyNames(g).sort() }', {
      tests: [{ args: [], expected: [] }],
    });
    expectStatus(result, 'failed');
    const globals = result.results[0]?.actual as string[];
    expect(globals).toContain('console');
    for (const hostGlobal of [
      'process',
      'require',
      'Buffer',
      'fetch',
      'setTimeout',
      'XMLHttpRequest',
      'WebSocket',
      'WebAssembly',
      'global',
    ]) {
      expect(globals).not.toContain(hostGlobal);
    }
  });

  it('has no fetch', async () => {
    const result = await runJs('async function solve() { return (await fetch("http://169.254.169.254/latest/meta-data")).status }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('fetch');
  });

  it('has no XMLHttpRequest', async () => {
    const result = await runJs('function solve() { const x = new XMLHttpRequest(); x.open("GET", "http://example.com"); return 1 }');
    expectStatus(result, 'error');
  });

  it('keeps prototype pollution inside its own run', async () => {
    const polluting = await runJs(
      'function solve() { Object.prototype.polluted = 1; Array.prototype.map = () => "hacked"; return ({}).polluted }',
      {
        tests: [{ args: [], expected: 1 }],
      },
    );
    expectStatus(polluting, 'passed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const next = await runJs('function solve() { return [({}).polluted === undefined, [1, 2].map((n) => n * 2)] }', {
      tests: [{ args: [], expected: [true, [2, 4]] }],
    });
    expectStatus(next, 'passed');
  });

  it('does not let a global set in one run leak into the next', async () => {
    await runJs('function solve() { globalThis.stolen = "secret"; return 1 }', { tests: [{ args: [], expected: 1 }] });
    const next = await runJs('function solve() { return typeof globalThis.stolen }', { tests: [{ args: [], expected: 'undefined' }] });
    expectStatus(next, 'passed');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'javascript');
  });
});

describe('JavaScript: throwing and returning odd values', () => {
  it('reports throw 42 with the value', async () => {
    const result = await runJs('function solve() { throw 42 }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toBe('threw a non-Error value: 42');
  });

  it('reports throw null', async () => {
    const result = await runJs('function solve() { throw null }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toBe('threw a non-Error value: null');
  });

  it('reports a thrown plain object', async () => {
    const result = await runJs('function solve() { throw { code: 7, reason: "nope" } }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('code: 7');
  });

  it('reports a rejected promise with a string reason', async () => {
    const result = await runJs('async function solve() { throw "boom" }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('"boom"');
  });

  it('reports a promise that never settles as a time-out at once', async () => {
    const result = await runJs('function solve() { return new Promise(() => {}) }');
    expectStatus(result, 'timeout');
    expect(firstMessage(result)).toContain('never settled');
    expect(result.duration_ms).toBeLessThan(GENEROUS_TIME_LIMITS.time_ms as number);
  });

  it.each(['toString', 'constructor', 'valueOf', 'parseInt', 'Object'])(
    'refuses an entrypoint %s that only resolves to a built-in',
    async (entrypoint) => {
      const result = await runJs('function solve() { return 1 }', { entrypoint });
      expectStatus(result, 'error');
      expect(firstMessage(result)).toContain('names a JavaScript built-in');
    },
  );

  it('calls a solution that defines its own function named like a built-in', async () => {
    const result = await runJs('function toString(a) { return a * 2 }', { entrypoint: 'toString', tests: [{ args: [21], expected: 42 }] });
    expectStatus(result, 'passed');
  });

  it('reports an Error with the line it was thrown from', async () => {
    const result = await runTs(
      'type N = number;\n\nfunction solve(): N {\n  const limit: N = 3;\n  throw new RangeError("too big: " + limit);\n}',
    );
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('RangeError: too big: 3');
    expect(firstMessage(result)).toContain('line 5');
  });

  it('reports a cyclic return value clearly', async () => {
    const result = await runJs('function solve() { const node = { name: "a" }; node.self = node; return node }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('cyclic');
  });

  it('refuses a huge return value without flooding the host', async () => {
    // The most time allowed: building and measuring the value takes a while on a loaded machine.
    const result = await runJs('function solve() { return Array.from({ length: 400000 }, (_, i) => i) }', {
      limits: { time_ms: 5_000, memory_mb: 64 },
    });
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('too large');
    expect(JSON.stringify(result).length).toBeLessThan(5_000);
  });

  it('reports a BigInt return value as not JSON', async () => {
    const result = await runJs('function solve() { return 10n ** 30n }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('BigInt');
  });

  it('reports a getter that throws while the return value is converted', async () => {
    const result = await runJs('function solve() { return { get trap() { throw new Error("gotcha") } } }');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('gotcha');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'javascript');
  });
});

describe('JavaScript and TypeScript: loading', () => {
  it('reports a syntax error with what and where', async () => {
    const result = await runJs('function solve() {\n  return 1 +;\n}');
    expectStatus(result, 'error');
    expect(result.message).toContain('SyntaxError');
    expect(result.message).toContain('line 2');
  });

  it('reports a TypeScript syntax error with what and where', async () => {
    const result = await runTs('function solve(a: number, b: number): number {\n  return a +* b;\n}');
    expectStatus(result, 'error');
    expect(result.message).toMatch(/SyntaxError: .*\(line 2, column \d+\)/);
  });

  it('reports a missing entrypoint and what the code exports', async () => {
    const result = await runJs('module.exports = { add(a, b) { return a + b } }', { entrypoint: 'solve' });
    expectStatus(result, 'error');
    expect(result.message).toContain("entrypoint 'solve' is not defined");
    expect(result.message).toContain('add');
  });

  it('reports an entrypoint that is not a function', async () => {
    const result = await runJs('const solve = 42;');
    expectStatus(result, 'error');
    expect(result.message).toContain("'solve' is a number, not a function");
  });

  it('reports an exception thrown by top-level code', async () => {
    const result = await runJs('throw new TypeError("bad start")\nfunction solve() {}');
    expectStatus(result, 'error');
    expect(result.message).toContain('TypeError: bad start');
  });

  it.each([
    ['a top-level function', 'function solve(a, b) { return a + b }'],
    ['module.exports = fn', 'module.exports = function solve(a, b) { return a + b }'],
    ['exports.solve', 'exports.solve = (a, b) => a + b'],
    ['export function', 'export function solve(a, b) { return a + b }'],
    ['export default', 'export default function (a, b) { return a + b }'],
    ['an async function', 'async function solve(a, b) { await null; return a + b }'],
  ])('accepts %s', async (_shape, code) => {
    const result = await runJs(code, { tests: [{ args: [2, 3], expected: 5 }] });
    expectStatus(result, 'passed');
  });

  it('passes a type-annotated TypeScript solution', async () => {
    const code = [
      'interface Point { x: number; y: number }',
      'enum Axis { X, Y }',
      'type Pair<T> = [T, T];',
      'function pick<T>(pair: Pair<T>, axis: Axis): T { return pair[axis] }',
      'export function solve(points: Point[], axis: Axis = Axis.X): number {',
      '  const values = points.map((p): Pair<number> => [p.x, p.y]).map((pair) => pick(pair, axis));',
      '  return values.reduce((sum: number, v: number) => sum + v, 0) as number;',
      '}',
    ].join('\n');
    const result = await runTs(code, {
      tests: [
        {
          args: [
            [
              { x: 1, y: 2 },
              { x: 3, y: 4 },
            ],
          ],
          expected: 4,
          name: 'sums x',
        },
        {
          args: [
            [
              { x: 1, y: 2 },
              { x: 3, y: 4 },
            ],
            1,
          ],
          expected: 6,
        },
      ],
    });
    expectStatus(result, 'passed');
    expect(result.results.map((test) => test.name)).toEqual(['sums x', 'test 2']);
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'typescript');
  });
});

describe('JavaScript: deep equality', () => {
  const identity = 'function solve(value) { return value }';

  it('treats -0 as 0 and NaN as equal only to NaN', async () => {
    const result = await runJs('function solve(kind) { return kind === "nan" ? NaN : kind === "negzero" ? -0 : Infinity }', {
      tests: [
        { args: ['nan'], expected: Number.NaN },
        { args: ['negzero'], expected: 0 },
        { args: ['inf'], expected: Number.POSITIVE_INFINITY },
        { args: ['nan'], expected: null },
      ],
    });
    expect(result.results.map((test) => test.status)).toEqual(['passed', 'passed', 'passed', 'failed']);
    expect(result.results[3]?.actual).toBe('NaN');
  });

  it('compares arrays by order and objects by keys', async () => {
    const result = await runJs(identity, {
      tests: [
        { args: [[1, [2, { a: 3 }]]], expected: [1, [2, { a: 3 }]] },
        { args: [{ b: 1, a: 2 }], expected: { a: 2, b: 1 } },
        { args: [[2, 1]], expected: [1, 2] },
        { args: [{ a: 1 }], expected: { a: 1, b: 2 } },
      ],
    });
    expect(result.results.map((test) => test.status)).toEqual(['passed', 'passed', 'failed', 'failed']);
  });

  it('never equates a number with a string or a boolean', async () => {
    const result = await runJs(identity, {
      tests: [
        { args: ['1'], expected: 1 },
        { args: [1], expected: true },
        { args: [0], expected: null },
      ],
    });
    expect(result.results.map((test) => test.status)).toEqual(['failed', 'failed', 'failed']);
    expect(result.results[0]).toMatchObject({ expected: 1, actual: '1' });
  });

  it('drops undefined object values like JSON and reports a missing return value', async () => {
    const result = await runJs('function solve(kind) { return kind === "obj" ? { a: 1, b: undefined } : undefined }', {
      tests: [
        { args: ['obj'], expected: { a: 1 } },
        { args: ['none'], expected: null },
      ],
    });
    expect(result.results.map((test) => test.status)).toEqual(['passed', 'failed']);
    expect(result.results[1]?.message).toContain('returned undefined');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'javascript');
  });
});

describe('Python: runaway time', () => {
  it('stops while True: pass with timeout', async () => {
    const result = await runPy('def solve():\n    while True:\n        pass\n', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
  });

  it('stops a loop that keeps catching KeyboardInterrupt (the worker is killed)', async () => {
    const result = await runPy(
      'def solve():\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n',
      { limits: SHORT_TIME_LIMITS },
    );
    expectStatus(result, 'timeout');
  });

  it('stops a program that ignores SIGINT', async () => {
    const result = await runPy(
      'import signal\ndef solve():\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass\n',
      { limits: SHORT_TIME_LIMITS },
    );
    expectStatus(result, 'timeout');
  });

  it('stops an infinite loop in module-level code', async () => {
    const result = await runPy('while True:\n    pass\ndef solve():\n    return 1\n', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
  });

  it('stops time.sleep() at the limit', async () => {
    const result = await runPy('import time\ndef solve():\n    time.sleep(30)\n    return 1\n', { limits: SHORT_TIME_LIMITS });
    expectStatus(result, 'timeout');
    expect(result.duration_ms).toBeLessThan(3_000);
  });

  it('stops a time.time() busy-wait', async () => {
    const result = await runPy('import time\ndef solve():\n    end = time.time() + 60\n    while time.time() < end:\n        pass\n', {
      limits: SHORT_TIME_LIMITS,
    });
    expectStatus(result, 'timeout');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'python');
  });
});

describe('Python: recursion and memory', () => {
  it('reports unbounded recursion as RecursionError', async () => {
    const result = await runPy('def solve(n=0):\n    return solve(n + 1) + 1\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('RecursionError');
  });

  it('stops recursion under a raised recursion limit when its frames exhaust memory', async () => {
    // A small cap: the frames reach it in a fraction of the time limit even on a loaded machine.
    const result = await runPy('import sys\nsys.setrecursionlimit(10**7)\ndef solve(n=0):\n    return solve(n + 1) + 1\n', {
      limits: { time_ms: 5_000, memory_mb: 4 },
    });
    expectStatus(result, 'memory_limit');
  });

  it('stops bytearray(10**9) at the memory limit', async () => {
    const result = await runPy('def solve():\n    return len(bytearray(10**9))\n');
    expectStatus(result, 'memory_limit');
  });

  it('rejects bytearray(10**10), which does not even fit the 32-bit interpreter', async () => {
    const result = await runPy('def solve():\n    return len(bytearray(10**10))\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('OverflowError');
  });

  it('stops list multiplication at the memory limit', async () => {
    const result = await runPy('def solve():\n    return len([0] * 10**8)\n');
    expectStatus(result, 'memory_limit');
  });

  it('stops list doubling at the memory limit', async () => {
    const result = await runPy('def solve():\n    items = [1]\n    while True:\n        items = items + items\n');
    expectStatus(result, 'memory_limit');
  });

  it('stops string doubling at the memory limit', async () => {
    const result = await runPy("def solve():\n    s = 'x'\n    while True:\n        s += s\n");
    expectStatus(result, 'memory_limit');
  });

  it('keeps memory capped when MemoryError is caught and allocation retried forever', async () => {
    const result = await runPy(
      'def solve():\n    held = []\n    while True:\n        try:\n            held.append(bytearray(10**7))\n        except MemoryError:\n            pass\n',
      { limits: SHORT_TIME_LIMITS },
    );
    expectStatus(result, 'timeout');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'python');
  });
});

describe('Python: output', () => {
  it('stops print in a loop at the output limit', async () => {
    const result = await runPy("def solve():\n    while True:\n        print('spam spam spam')\n");
    expectStatus(result, 'output_limit');
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(65_536);
    expect(result.stdout.startsWith('spam spam spam\n')).toBe(true);
  });

  it('stops sys.stdout.write in a loop at the output limit', async () => {
    const result = await runPy("import sys\ndef solve():\n    while True:\n        sys.stdout.write('y' * 1000)\n");
    expectStatus(result, 'output_limit');
  });

  it('truncates one enormous print at the output limit', async () => {
    const result = await runPy("def solve():\n    print('z' * 1_000_000)\n    return 1\n", { tests: [{ args: [], expected: 1 }] });
    expectStatus(result, 'output_limit');
    expect(result.stdout).toBe(`${'z'.repeat(8_192)}… [truncated: 65536 bytes in all]`);
  });

  it('captures print output of every test in order', async () => {
    const result = await runPy("def solve(n):\n    print('n is', n)\n    return n * 2\n", {
      tests: [
        { args: [1], expected: 2 },
        { args: [2], expected: 4 },
      ],
    });
    expectStatus(result, 'passed');
    expect(result.stdout).toBe('n is 1\nn is 2\n');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'python');
  });
});

describe('Python: reaching for the host', () => {
  it('cannot read /etc/passwd (the interpreter has its own empty file system)', async () => {
    const result = await runPy("def solve():\n    return open('/etc/passwd').read()\n");
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('FileNotFoundError');
    expectNothingLeaked(result);
  });

  it("sees only the interpreter's in-memory root in os.listdir('/')", async () => {
    const result = await runPy("import os\ndef solve():\n    return sorted(os.listdir('/'))\n", { tests: [{ args: [], expected: [] }] });
    expectStatus(result, 'failed');
    const entries = result.results[0]?.actual as string[];
    for (const hostEntry of ['etc', 'usr', 'work', 'root', 'bin']) expect(entries).not.toContain(hostEntry);
  });

  it('sees none of the host environment in os.environ', async () => {
    const result = await runPy('import os\ndef solve():\n    return dict(os.environ)\n', { tests: [{ args: [], expected: {} }] });
    expectStatus(result, 'failed');
    expectNothingLeaked(result);
  });

  it('cannot import js', async () => {
    const result = await runPy('import js\ndef solve():\n    return js.process.pid\n');
    expectStatus(result, 'error');
    expect(result.message).toContain("module 'js' is not available");
  });

  it('cannot import pyodide_js', async () => {
    const result = await runPy('def solve():\n    import pyodide_js\n    return pyodide_js.version\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('ImportError');
  });

  it('cannot import pyodide.ffi to reach JavaScript objects', async () => {
    const result = await runPy('def solve():\n    from pyodide.ffi import to_js\n    return str(to_js([1]).constructor)\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('ImportError');
  });

  it('cannot run JavaScript through pyodide.code.run_js', async () => {
    const result = await runPy("def solve():\n    from pyodide.code import run_js\n    return run_js('process.pid')\n");
    expectStatus(result, 'error');
  });

  it('is blocked when it digs the JavaScript bridge out of the garbage collector', async () => {
    const code = [
      'import gc',
      'def solve():',
      '    for obj in gc.get_objects():',
      "        if type(obj).__name__ == 'module' and obj.__name__ == '_pyodide_core':",
      "            return str(obj.to_js([1]).constructor.constructor('return process')().pid)",
      "    return 'not found'",
    ].join('\n');
    const result = await runPy(code);
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('blocked host call');
  });

  it('is blocked when it re-creates _pyodide_core with the builtin importer', async () => {
    const code = [
      'from importlib.machinery import BuiltinImporter',
      'def solve():',
      "    core = BuiltinImporter.create_module(BuiltinImporter.find_spec('_pyodide_core'))",
      "    error = core.JsException('Error', 'x')",
      "    return str(error.js_error.constructor.constructor('return process')().pid)",
    ].join('\n');
    const result = await runPy(code);
    expectStatus(result, 'error');
    expect(firstMessage(result)).toMatch(/blocked host call|ImportError/);
  });

  it('is blocked when it calls emscripten_run_script through a re-created _ctypes', async () => {
    const code = [
      'from importlib.machinery import BuiltinImporter',
      'def solve():',
      "    ctypes_core = BuiltinImporter.create_module(BuiltinImporter.find_spec('_ctypes'))",
      '    BuiltinImporter.exec_module(ctypes_core)',
      '    library = ctypes_core.dlopen(None)',
      "    return ctypes_core.dlsym(library, 'emscripten_run_script_int')",
    ].join('\n');
    const result = await runPy(code);
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('blocked host call: _dlsym_js');
  });

  it('cannot import ctypes', async () => {
    const result = await runPy("import ctypes\ndef solve():\n    return ctypes.CDLL(None).emscripten_run_script_int(b'1')\n");
    expectStatus(result, 'error');
    expect(result.message).toContain("module 'ctypes' is not available");
  });

  it("cannot run os.system('id')", async () => {
    const result = await runPy("import os\ndef solve():\n    return os.system('id')\n");
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('PermissionError');
    expect(result.stdout).not.toContain('uid=');
  });

  it('is blocked when it re-creates the posix module to reach system()', async () => {
    const code = [
      'from importlib.machinery import BuiltinImporter',
      'def solve():',
      "    posix = BuiltinImporter.create_module(BuiltinImporter.find_spec('posix'))",
      '    BuiltinImporter.exec_module(posix)',
      "    return posix.system('id')",
    ].join('\n');
    const result = await runPy(code);
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('blocked host call: _emscripten_system');
    expect(result.stdout).not.toContain('uid=');
  });

  it('cannot use subprocess', async () => {
    const result = await runPy("import subprocess\ndef solve():\n    return subprocess.run(['id'], capture_output=True).stdout\n");
    expectStatus(result, 'error');
    expect(result.message).toContain("module 'subprocess' is not available");
  });

  it('cannot import socket', async () => {
    const result = await runPy("import socket\ndef solve():\n    return socket.socket().connect(('127.0.0.1', 80))\n");
    expectStatus(result, 'error');
    expect(result.message).toContain("module 'socket' is not available");
  });

  it('gets PermissionError from a socket made with a re-created _socket module', async () => {
    const code = [
      'from importlib.machinery import BuiltinImporter',
      'def solve():',
      "    raw = BuiltinImporter.create_module(BuiltinImporter.find_spec('_socket'))",
      '    BuiltinImporter.exec_module(raw)',
      '    return raw.socket(raw.AF_INET, raw.SOCK_STREAM).fileno()',
    ].join('\n');
    const result = await runPy(code);
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('PermissionError');
  });

  it('cannot fetch a URL with urllib.request.urlopen', async () => {
    const result = await runPy("import urllib.request\ndef solve():\n    return urllib.request.urlopen('http://example.com').read()\n");
    expectStatus(result, 'error');
    expect(result.message).toContain("module 'urllib.request' is not available");
  });

  it('keeps interpreter state, files and monkeypatches inside its own run', async () => {
    const polluting = await runPy(
      [
        'import builtins, json, os',
        'def solve():',
        "    builtins.leaked = 'secret'",
        "    json.dumps = lambda *a, **k: 'hacked'",
        "    with open('/tmp/secret.txt', 'w') as f:",
        "        f.write('secret')",
        '    return 1',
      ].join('\n'),
      { tests: [{ args: [], expected: 1 }] },
    );
    expectStatus(polluting, 'passed');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const next = await runPy(
        [
          'import builtins, json, os',
          'def solve():',
          "    return [hasattr(builtins, 'leaked'), json.dumps([1]), os.path.exists('/tmp/secret.txt')]",
        ].join('\n'),
        { tests: [{ args: [], expected: [false, '[1]', false] }] },
      );
      expectStatus(next, 'passed');
    }
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'python');
  });
});

describe('Python: raising and returning odd values', () => {
  it('reports raise SystemExit', async () => {
    const result = await runPy('def solve():\n    raise SystemExit(3)\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('SystemExit');
  });

  it('reports sys.exit()', async () => {
    const result = await runPy('import sys\ndef solve():\n    sys.exit()\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('sys.exit(None)');
  });

  it('reports a KeyboardInterrupt the program raises itself', async () => {
    const result = await runPy('def solve():\n    raise KeyboardInterrupt\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('KeyboardInterrupt');
  });

  it('reports os._exit()', async () => {
    const result = await runPy('import os\ndef solve():\n    os._exit(0)\n');
    expectStatus(result, 'error');
  });

  it('reports an exception with the line it came from', async () => {
    const result = await runPy('def helper(x):\n    return 10 / x\n\ndef solve():\n    return helper(0)\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('ZeroDivisionError: division by zero');
    expect(firstMessage(result)).toContain('line 2, in helper');
  });

  it('reports a cyclic return value clearly', async () => {
    const result = await runPy('def solve():\n    items = [1]\n    items.append(items)\n    return items\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('cyclic');
  });

  it('refuses a huge return value without flooding the host', async () => {
    // The most time allowed: building and measuring the value takes a while on a loaded machine.
    const result = await runPy('def solve():\n    return list(range(400_000))\n', { limits: { time_ms: 5_000, memory_mb: 64 } });
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('too large');
    expect(JSON.stringify(result).length).toBeLessThan(5_000);
  });

  it('reports a generator return value as not JSON', async () => {
    const result = await runPy('def solve():\n    return (n for n in range(3))\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('generator');
  });

  it('reports input() as end of input', async () => {
    const result = await runPy('def solve():\n    return input()\n');
    expectStatus(result, 'error');
    expect(firstMessage(result)).toContain('EOFError');
  });

  it('reports asyncio.run as blocked (its event loop would need the JavaScript host)', async () => {
    const result = await runPy('import asyncio\nasync def main():\n    return 1\ndef solve():\n    return asyncio.run(main())\n');
    expectStatus(result, 'error');
  });

  it('reports that threads cannot start', async () => {
    const result = await runPy('import threading\ndef solve():\n    t = threading.Thread(target=print)\n    t.start()\n');
    expectStatus(result, 'error');
  });

  it('reports a syntax error with what and where', async () => {
    const result = await runPy('def solve():\n    return (1 +\n\nx = 1\n');
    expectStatus(result, 'error');
    expect(result.message).toMatch(/SyntaxError: .*\(line \d+, column \d+\)/);
  });

  it('reports a missing entrypoint and the functions the code defines', async () => {
    const result = await runPy('def add(a, b):\n    return a + b\n');
    expectStatus(result, 'error');
    expect(result.message).toContain("entrypoint 'solve' is not defined");
    expect(result.message).toContain('add');
  });

  it('reports an entrypoint that is not a function', async () => {
    const result = await runPy('solve = [1, 2]\n');
    expectStatus(result, 'error');
    expect(result.message).toContain("'solve' is a list, not a function");
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'python');
  });
});

describe('Python: deep equality and conversions', () => {
  it('converts tuples, sets, dict keys and floats with JSON semantics', async () => {
    const code = [
      'def solve(kind):',
      "    if kind == 'tuple': return (1, (2, 3))",
      "    if kind == 'set': return {3, 1, 2}",
      "    if kind == 'keys': return {1: 'a', True: 'b'}",
      "    if kind == 'float': return 2.0",
      "    if kind == 'nan': return float('nan')",
      "    if kind == 'bool': return True",
    ].join('\n');
    const result = await runPy(code, {
      tests: [
        { args: ['tuple'], expected: [1, [2, 3]] },
        { args: ['set'], expected: [1, 2, 3] },
        { args: ['keys'], expected: { 1: 'b' } },
        { args: ['float'], expected: 2 },
        { args: ['nan'], expected: Number.NaN },
        { args: ['bool'], expected: 1 },
      ],
    });
    expect(result.results.map((test) => test.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'failed']);
  });

  it('passes arguments through unchanged, including nested structures and unicode', async () => {
    const result = await runPy('def solve(value):\n    return value\n', {
      tests: [
        {
          args: [{ name: 'Zoë 🚀', list: [1, 2.5, null, true], nested: { deep: [[[]]] } }],
          expected: { name: 'Zoë 🚀', list: [1, 2.5, null, true], nested: { deep: [[[]]] } },
        },
      ],
    });
    expectStatus(result, 'passed');
  });

  it('runs an async def entrypoint that awaits nothing external', async () => {
    const result = await runPy('async def solve(a, b):\n    return a * b\n', { tests: [{ args: [6, 7], expected: 42 }] });
    expectStatus(result, 'passed');
  });

  it('still grades an ordinary solution afterwards', async () => {
    await expectHealthyAfterwards(pool, 'python');
  });
});

describe('limits in a request', () => {
  it('uses the default limits when none are given', async () => {
    const result = await pool.run({
      language: 'javascript',
      code: 'function solve() { const end = Date.now() + 1200; while (Date.now() < end) {} return 1 }',
      entrypoint: 'solve',
      tests: [{ args: [], expected: 1 }],
    });
    expectStatus(result, 'passed');
  });

  it('shares one time budget across all tests of a run', async () => {
    const result = await runJs('function solve() { const end = Date.now() + 250; while (Date.now() < end) {} return 1 }', {
      tests: Array.from({ length: 4 }, () => ({ args: [], expected: 1 })),
      limits: SHORT_TIME_LIMITS,
    });
    expectStatus(result, 'timeout');
    expect(result.results.map((test) => test.status)).toEqual(['passed', 'passed', 'timeout', 'timeout']);
    expect(result.results[3]?.message).toMatch(/^not run/);
  });
});

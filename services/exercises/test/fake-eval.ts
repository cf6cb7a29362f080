import { isDeepStrictEqual } from 'node:util';
import { type ServiceClient, serviceUnavailable } from '@codeyard/service-kit';

interface EvalBody {
  language: string;
  code: string;
  entrypoint: string;
  tests: Array<{ args: unknown[]; expected: unknown }>;
  stdout_tests?: number;
}

/**
 * A stand-in for the eval service in service tests: runs JavaScript in this process (trusted test
 * code only) and answers in the shape of `POST /eval`. It can be taken down, and it records calls.
 */
export function fakeEval() {
  const state = {
    down: false,
    calls: [] as EvalBody[],
    /** When set, the next answers are this instead of a real run (a refusal, a crash, nonsense). */
    reply: undefined as { status: number; body: unknown; headers?: Record<string, string> } | undefined,
  };
  const client: ServiceClient = async <T>(method: string, path: string, request: { body?: unknown } = {}) => {
    if (state.down) throw serviceUnavailable('The eval service is unavailable');
    if (method !== 'POST' || path !== '/eval') return { status: 404, body: {} as T, headers: new Headers() };
    const body = request.body as EvalBody;
    state.calls.push(body);
    if (state.reply) return { status: state.reply.status, body: state.reply.body as T, headers: new Headers(state.reply.headers) };
    return { status: 200, body: run(body) as T, headers: new Headers({ 'content-type': 'application/json' }) };
  };
  return { client, state };
}

function run(body: EvalBody) {
  const logs: string[] = [];
  let fn: ((...args: unknown[]) => unknown) | undefined;
  let loadError: string | undefined;
  try {
    const log = (...parts: unknown[]) => logs.push(parts.map(String).join(' '));
    fn = new Function('console', `${body.code}\nreturn typeof ${body.entrypoint} === 'function' ? ${body.entrypoint} : undefined;`)({
      log,
    }) as typeof fn;
    if (!fn) loadError = `ReferenceError: ${body.entrypoint} is not defined`;
  } catch (error) {
    loadError = `${(error as Error).name}: ${(error as Error).message}`;
  }
  const logsAfterTest: number[] = [];
  const results = body.tests.map((test, index) => {
    const result = runTest(test, index);
    logsAfterTest.push(logs.length);
    return result;
  });
  function runTest(test: EvalBody['tests'][number], index: number) {
    const name = `test ${index + 1}`;
    if (loadError || !fn) return { name, status: 'error', message: loadError, duration_ms: 0 };
    try {
      const actual = fn(...test.args);
      return isDeepStrictEqual(actual, test.expected)
        ? { name, status: 'passed', expected: test.expected, actual, duration_ms: 1 }
        : {
            name,
            status: 'failed',
            expected: test.expected,
            actual,
            message: `expected ${JSON.stringify(test.expected)}, got ${JSON.stringify(actual)}`,
            duration_ms: 1,
          };
    } catch (error) {
      return {
        name,
        status: 'error',
        expected: test.expected,
        message: `${(error as Error).name}: ${(error as Error).message}`,
        duration_ms: 1,
      };
    }
  }
  // Like eval: only the output up to the end of test `stdout_tests` is returned when asked.
  const shownLogs = body.stdout_tests === undefined ? logs : logs.slice(0, logsAfterTest[body.stdout_tests - 1]);
  const passed = results.filter((r) => r.status === 'passed').length;
  const status = passed === results.length ? 'passed' : results.some((r) => r.status === 'error') ? 'error' : 'failed';
  return { status, passed, total: results.length, results, stdout: shownLogs.join('\n'), duration_ms: results.length };
}

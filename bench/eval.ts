// npm run bench:eval — gradings per second and p50/p99 latency for a trivial JavaScript and a
// trivial Python exercise: straight to the eval service, through the gateway, and a naive baseline
// that spawns a fresh `node` process per submission. All in one run, side by side, because this
// machine is shared and noisy. Targets 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { launchSystem } from '../e2e/launch.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    'baseline-requests': { type: 'string', default: '20' },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const BASELINE_REQUESTS = Number(args['baseline-requests']);

const exercises = {
  javascript: {
    language: 'javascript',
    entrypoint: 'sum',
    code: 'function sum(a, b) { return a + b; }',
    tests: [
      { args: [1, 2], expected: 3 },
      { args: [-5, 5], expected: 0 },
      { args: [100, 23], expected: 123 },
    ],
  },
  python: {
    language: 'python',
    entrypoint: 'sum_two',
    code: 'def sum_two(a, b):\n    return a + b\n',
    tests: [
      { args: [1, 2], expected: 3 },
      { args: [-5, 5], expected: 0 },
      { args: [100, 23], expected: 123 },
    ],
  },
} as const;

interface Figures {
  target: string;
  language: string;
  requests: number;
  ok: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function measure(target: string, language: string, total: number, concurrency: number, once: () => Promise<boolean>): Promise<Figures> {
  const latencies: number[] = [];
  let ok = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        if (await once()) ok++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { target, language, requests: total, ok, perSecond: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function postEval(url: string, token: string, body: unknown): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const result = (await response.json()) as { status?: string };
  return response.ok && result.status === 'passed';
}

// The naive baseline: a fresh process per submission, no sandbox, no pool.
const pyodideDir = dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
const BASELINE_JS = `
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const fn = new Function(input.code + '; return ' + input.entrypoint + ';')();
const passed = input.tests.every((t) => JSON.stringify(fn(...t.args)) === JSON.stringify(t.expected));
process.stdout.write(passed ? 'passed' : 'failed');`;
const BASELINE_PY = `
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
require(${JSON.stringify(`${pyodideDir}/pyodide.js`)}).loadPyodide({ indexURL: ${JSON.stringify(`${pyodideDir}/`)} }).then((py) => {
  py.runPython(input.code);
  const fn = py.globals.get(input.entrypoint);
  const passed = input.tests.every((t) => JSON.stringify(fn(...t.args)) === JSON.stringify(t.expected));
  process.stdout.write(passed ? 'passed' : 'failed');
});`;

function spawnBaseline(script: string, body: unknown): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', () => resolve(out === 'passed'));
    child.stdin.end(JSON.stringify(body));
  });
}

const system = await launchSystem({ env: { LOG_LEVEL: 'warn', EVAL_QUEUE_LIMIT: '1000' } });
try {
  const evalUrl = `http://127.0.0.1:${Number(new URL(system.baseUrl).port) + 3}`;
  const username = `bench_${Date.now().toString(36)}`;
  await fetch(`${system.baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@bench.test`, password: 'bench-password' }),
  });
  const login = await fetch(`${system.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'bench-password' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };

  // Warm both paths (JIT, connection pools) before measuring.
  for (const exercise of Object.values(exercises)) {
    for (let i = 0; i < 10; i++) await postEval(`${evalUrl}/eval`, token, exercise);
  }

  const figures: Figures[] = [];
  for (const [language, exercise] of Object.entries(exercises)) {
    figures.push(await measure('eval (direct)', language, REQUESTS, CONCURRENCY, () => postEval(`${evalUrl}/eval`, token, exercise)));
    figures.push(await measure('gateway', language, REQUESTS, CONCURRENCY, () => postEval(`${system.baseUrl}/api/v1/eval`, token, exercise)));
    const script = language === 'python' ? BASELINE_PY : BASELINE_JS;
    figures.push(await measure('naive: node per run', language, BASELINE_REQUESTS, CONCURRENCY, () => spawnBaseline(script, exercise)));
  }

  console.log(`\nbench:eval — ${REQUESTS} gradings per target (baseline ${BASELINE_REQUESTS}), ${CONCURRENCY} in flight, 3 tests each\n`);
  console.log('target                 language     ok/total   gradings/s     p50 ms     p99 ms');
  for (const f of figures) {
    console.log(
      `${f.target.padEnd(22)} ${f.language.padEnd(12)} ${`${f.ok}/${f.requests}`.padStart(8)} ${f.perSecond.toFixed(1).padStart(11)} ${f.p50.toFixed(1).padStart(10)} ${f.p99.toFixed(1).padStart(10)}`,
    );
  }
  for (const language of Object.keys(exercises)) {
    const pooled = figures.find((f) => f.language === language && f.target === 'eval (direct)');
    const naive = figures.find((f) => f.language === language && f.target === 'naive: node per run');
    if (pooled && naive) {
      console.log(`${language}: the pool grades ${(pooled.perSecond / naive.perSecond).toFixed(1)}× as many per second as a process per run; p50 ${(naive.p50 / pooled.p50).toFixed(1)}× lower`);
    }
  }
} finally {
  await system.stop();
}

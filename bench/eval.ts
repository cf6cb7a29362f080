// npm run bench:eval — how fast the sandbox grades, per language: latency with one grading in
// flight (p50/p99), throughput saturated at twice the worker count in flight, straight to the eval
// service and through the gateway, beside a naive process-per-run baseline; CPU per grading of the
// eval service and its workers, and the workers' resident memory. All in one run, side by side,
// because this machine is shared and noisy. Targets 127.0.0.1 only.
//   npm run bench:eval -- --language python --duration 5
//   npm run bench:eval -- --save before.json      then later      npm run bench:eval -- --compare before.json
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { launchSystem } from '../e2e/launch.js';

const { values: args } = parseArgs({
  options: {
    /** javascript, python or all. */
    language: { type: 'string', default: 'all' },
    /** Seconds per measurement. */
    duration: { type: 'string', default: '5' },
    /** Comma-separated: direct, gateway, naive. */
    targets: { type: 'string', default: 'direct,gateway,naive' },
    /** Gradings in flight for the saturated measurement (default: twice the worker count). */
    saturate: { type: 'string' },
    /** Passed to the eval service as EVAL_WORKERS (default: the service's own default). */
    workers: { type: 'string' },
    save: { type: 'string' },
    compare: { type: 'string' },
  },
});
const DURATION_MS = Number(args.duration) * 1000;
const TARGETS = new Set(args.targets.split(','));
if (!(DURATION_MS > 0)) throw new Error('--duration must be a positive number of seconds');

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
type LanguageName = keyof typeof exercises;
const languages = (args.language === 'all' ? Object.keys(exercises) : [args.language]) as LanguageName[];
for (const language of languages) if (!(language in exercises)) throw new Error(`--language must be javascript, python or all`);

interface Sample {
  target: string;
  language: string;
  inFlight: number;
  gradings: number;
  ok: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time of the eval service and its workers per grading (ms); undefined for the naive baseline. */
  evalCpuMs?: number;
  /** CPU time of the whole system per grading (ms): gateway, auth, eval and workers. */
  systemCpuMs?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

// --- /proc: CPU and resident memory of process trees -------------------------------------------
const CLOCK_TICK_MS = 10;

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      return text ? text.split(/\s+/).map(Number) : [];
    });
  } catch {
    return [];
  }
}

function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop() as number;
    all.push(next);
    pending.push(...childrenOf(next));
  }
  return all;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function processCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of stat, counted after the command name)
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process tree while it runs, in ms. Polled per process, because a recycled worker
 * dies inside its bubblewrap and its time never reaches an ancestor's cutime; what a process uses
 * after the last poll before it dies (at most one interval) is missed.
 */
class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly rootPid: number) {
    this.poll(true);
    this.timer = setInterval(() => this.poll(false), 100);
  }

  private poll(initial: boolean): void {
    for (const pid of descendantsOf(this.rootPid)) {
      const ticks = processCpuTicks(pid);
      if (ticks === undefined) continue;
      if (!this.first.has(pid)) this.first.set(pid, initial ? ticks : 0);
      this.last.set(pid, ticks);
    }
  }

  stop(): number {
    clearInterval(this.timer);
    this.poll(false);
    let ticks = 0;
    for (const [pid, last] of this.last) ticks += last - (this.first.get(pid) ?? 0);
    return ticks * CLOCK_TICK_MS;
  }
}

function rssMb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The Node processes of the sandbox workers of one engine (bubblewrap puts them a level or two down). */
function workerPids(evalPid: number, engine: 'quickjs' | 'pyodide'): number[] {
  return descendantsOf(evalPid).filter((pid) => {
    const line = commandLine(pid);
    return !line.includes('bwrap') && !line.includes('unshare') && line.includes(`"kind":"${engine}"`);
  });
}

// --- load generation -----------------------------------------------------------------------------
interface Client {
  token: string;
}

async function postEval(url: string, client: Client, body: unknown): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
    body: JSON.stringify(body),
  });
  const result = (await response.json()) as { status?: string };
  return response.ok && result.status === 'passed';
}

/**
 * Keeps `clients.length` gradings in flight for the duration, each client its own user (the
 * service caps one user's runs at half the workers, so one user could never saturate it).
 */
async function measure(
  target: string,
  language: string,
  clients: Client[],
  once: (client: Client) => Promise<boolean>,
  cpuOf: { eval?: number; system?: number },
  maxGradings = Number.POSITIVE_INFINITY,
): Promise<Sample> {
  const latencies: number[] = [];
  let ok = 0;
  let started = 0;
  const evalCpu = cpuOf.eval === undefined ? undefined : new CpuMeter(cpuOf.eval);
  const systemCpu = cpuOf.system === undefined ? undefined : new CpuMeter(cpuOf.system);
  const t0 = performance.now();
  const deadline = t0 + DURATION_MS;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline && started < maxGradings) {
        started += 1;
        const begun = performance.now();
        if (await once(client)) ok += 1;
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const gradings = latencies.length;
  return {
    target,
    language,
    inFlight: clients.length,
    gradings,
    ok,
    perSecond: gradings / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ...(evalCpu && { evalCpuMs: evalCpu.stop() / gradings }),
    ...(systemCpu && { systemCpuMs: systemCpu.stop() / gradings }),
  };
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

async function signUp(baseUrl: string, index: number): Promise<Client> {
  const username = `bench_${Date.now().toString(36)}_${index}`;
  const register = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@bench.test`, password: 'bench-password' }),
  });
  if (!register.ok) throw new Error(`register failed: ${register.status} ${await register.text()}`);
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'bench-password' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  return { token };
}

const system = await launchSystem({
  env: {
    LOG_LEVEL: 'warn',
    EVAL_QUEUE_LIMIT: '1000',
    ...(args.workers && { EVAL_WORKERS: args.workers }),
  },
});
const samples: Sample[] = [];
const workerRssMb: Record<string, { workers: number; meanMb: number; maxMb: number }> = {};
try {
  const evalUrl = `http://127.0.0.1:${Number(new URL(system.baseUrl).port) + 3}`;
  const evalPid = descendantsOf(system.pid).find((pid) => commandLine(pid).includes('services/eval/dist/server.js'));
  if (evalPid === undefined) throw new Error('the eval service process was not found (is the system started one process per service?)');
  const workerCount = workerPids(evalPid, 'quickjs').length;
  const inFlight = Number(args.saturate ?? 2 * Math.max(1, workerCount));
  const clients = await Promise.all(Array.from({ length: inFlight }, (_, i) => signUp(system.baseUrl, i)));
  const single = clients.slice(0, 1);
  const cpu = { eval: evalPid, system: system.pid };

  for (const language of languages) {
    const exercise = exercises[language];
    // Warm both paths (JIT, connection pools) before measuring.
    for (const client of clients) for (let i = 0; i < 5; i++) await postEval(`${evalUrl}/eval`, client, exercise);
    const paths = [
      ['direct', `${evalUrl}/eval`],
      ['gateway', `${system.baseUrl}/api/v1/eval`],
    ] as const;
    for (const [target, url] of paths) {
      if (!TARGETS.has(target)) continue;
      const once = (client: Client) => postEval(url, client, exercise);
      samples.push(await measure(target, language, single, once, cpu));
      samples.push(await measure(target, language, clients, once, cpu));
    }
    const engine = language === 'python' ? 'pyodide' : 'quickjs';
    const rss = workerPids(evalPid, engine).map(rssMb);
    workerRssMb[language] = {
      workers: rss.length,
      meanMb: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length),
      maxMb: Math.max(0, ...rss),
    };
    if (TARGETS.has('naive')) {
      const script = language === 'python' ? BASELINE_PY : BASELINE_JS;
      const once = () => spawnBaseline(script, exercise);
      samples.push(await measure('naive: node per run', language, single, once, {}, 20));
      samples.push(await measure('naive: node per run', language, clients, once, {}, 20));
    }
  }
  console.log(
    `\nbench:eval — ${args.duration} s per row, 3 tests per grading, ${workerCount} workers per engine, saturated = ${inFlight} in flight`,
  );
  console.log(
    `machine: ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU'}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? '?'} CPUs\n`,
  );
} finally {
  await system.stop();
}

const baseline: Sample[] | undefined = args.compare ? JSON.parse(readFileSync(args.compare, 'utf8')).samples : undefined;
const cell = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
console.log(
  `${'target'.padEnd(20)} ${'language'.padEnd(10)} ${'in flight'.padStart(9)} ${'ok/total'.padStart(11)} ${'gradings/s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'eval CPU ms'.padStart(11)} ${'all CPU ms'.padStart(10)}${baseline ? `   ${'before: /s'.padStart(10)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'CPU'.padStart(6)}` : ''}`,
);
for (const s of samples) {
  const before = baseline?.find((b) => b.target === s.target && b.language === s.language && (b.inFlight === 1) === (s.inFlight === 1));
  console.log(
    `${s.target.padEnd(20)} ${s.language.padEnd(10)} ${String(s.inFlight).padStart(9)} ${`${s.ok}/${s.gradings}`.padStart(11)} ${cell(s.perSecond).padStart(10)} ${cell(s.p50).padStart(8)} ${cell(s.p99).padStart(8)} ${cell(s.evalCpuMs).padStart(11)} ${cell(s.systemCpuMs).padStart(10)}` +
      (before
        ? `   ${cell(before.perSecond).padStart(10)} ${cell(before.p50).padStart(7)} ${cell(before.p99).padStart(7)} ${cell(before.evalCpuMs).padStart(6)}`
        : ''),
  );
}
console.log('\nworker resident memory after the runs (MB):');
for (const [language, rss] of Object.entries(workerRssMb)) {
  console.log(`  ${language.padEnd(10)} ${rss.workers} workers, mean ${rss.meanMb.toFixed(0)}, max ${rss.maxMb.toFixed(0)}`);
}
if (args.save) {
  writeFileSync(args.save, `${JSON.stringify({ date: new Date().toISOString(), samples, workerRssMb }, null, 2)}\n`);
  console.log(`\nsaved to ${args.save}`);
}

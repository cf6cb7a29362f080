// npm run bench — HTTP throughput of the running system with autocannon, 127.0.0.1 only.
// Starts the built system as `npm start` does (every service its own process, SQLite in a temp
// dir, or PostgreSQL schemas when BENCH_DATABASE_URL / TEST_DATABASE_URL is set), seeds it, then
// measures each operation at each connection count through the gateway and direct to the service,
// beside a plain `node:http` hello server measured in the same run. CPU per request comes from
// /proc (utime + stime of each process over the run). Also: RSS idle and loaded, multi-process and
// --single-process, and the time from start to healthy.
//
//   npm run bench -- --only get-post,vote --connections 100 --duration 5
//   npm run bench -- --save run.json   then later   npm run bench -- --compare run.json
//   npm run bench -- --only recent-posts --targets gateway --skip-rss --profile prof   (then
//   npx tsx bench/profile-summary.ts prof/*.cpuprofile)
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { seedExercises } from '../scripts/seed/exercises.js';
import { adminLogin, launchSystem } from '../e2e/launch.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    connections: { type: 'string', default: '50,100' },
    duration: { type: 'string', default: '5' },
    targets: { type: 'string', default: 'gateway,direct' },
    save: { type: 'string' },
    compare: { type: 'string' },
    'skip-rss': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of every process of the system into this directory (node --cpu-prof). */
    profile: { type: 'string' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections.split(',').map(Number);
const TARGETS = args.targets.split(',') as Array<'gateway' | 'direct'>;
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (postgresUrl) process.env.TEST_DATABASE_URL = postgresUrl;

/** Service port offsets from the gateway's port, as scripts/services.mjs assigns them. */
const OFFSET: Record<string, number> = { users: 1, exercises: 2, eval: 3, scores: 4, posts: 5, votes: 6, messages: 7 };
const PASSWORD = 'a-good-password';
// Production password hashing (the e2e launcher lowers it), so login costs what it costs.
const system = await launchSystem({
  env: {
    LOG_LEVEL: 'info',
    ARGON2_MEMORY_KIB: '19456',
    ARGON2_TIME_COST: '2',
    NODE_ENV: 'development',
    ...(args.profile && { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(args.profile)}` }),
  },
});
const processes = () => systemProcesses(system.pid);

interface Sample {
  operation: string;
  target: string;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU µs per request, by process. */
  cpuPerRequest: Record<string, number>;
}
const samples: Sample[] = [];
const notes: string[] = [];
let peakRss = 0;
/** Linux clock ticks (USER_HZ) per second, the unit of /proc/<pid>/stat CPU times. */
const TICKS_PER_SECOND = 100;

try {
  const api = async (path: string, init: { method?: string; token?: string; json?: unknown } = {}): Promise<any> => {
    const response = await fetch(`${system.baseUrl}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.json !== undefined && { 'content-type': 'application/json' }),
        ...(init.token && { authorization: `Bearer ${init.token}` }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  };

  // ---- seed: 100 voters, 10 authors with 20 posts each, messages, the exercise course ----
  const tag = Date.now().toString(36);
  const newUser = async (name: string) => {
    const user = await api('/auth/register', { method: 'POST', json: { username: name, email: `${name}@example.test`, password: PASSWORD } });
    const login = await api('/auth/login', { method: 'POST', json: { username: name, password: PASSWORD } });
    return { id: user.id as number, username: name, token: login.access_token as string };
  };
  const voters: Array<{ id: number; username: string; token: string }> = [];
  for (let i = 0; i < 100; i++) voters.push(await newUser(`v${i}_${tag}`));
  const authors: typeof voters = [];
  for (let i = 0; i < 10; i++) authors.push(await newUser(`a${i}_${tag}`));
  const postIds: number[] = [];
  for (const [i, author] of authors.entries()) {
    for (let j = 0; j < 20; j++) {
      const post = await api('/posts', {
        method: 'POST',
        token: author.token,
        json: { title: `Post ${j} by ${author.username}`, text: 'x'.repeat(400), community: `bench_${i % 3}` },
      });
      postIds.push(post.id);
    }
  }
  const reader = voters[0] as (typeof voters)[number];
  for (let i = 0; i < 30; i++) {
    await api('/messages', { method: 'POST', token: (voters[1 + (i % 5)] as typeof reader).token, json: { to: reader.username, content: `hello ${i}` } });
  }
  await seedExercises({ baseUrl: system.baseUrl, adminToken: await adminLogin(system), log: () => {} });

  // ---- operations ----
  type Request = { method: string; path: string; headers?: Record<string, string>; body?: string };
  interface Operation {
    name: string;
    service: string;
    /** The request for one connection's next call; `state` is that connection's own. */
    next: (state: Record<string, any>) => Request;
  }
  const json = { 'content-type': 'application/json' };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let connectionCounter = 0;
  /** `voterIndex:postId` of every vote the runs sent. */
  const votedPairs = new Set<string>();
  const own = (state: Record<string, any>) => {
    state.index ??= connectionCounter++;
    state.count ??= 0;
    state.count++;
    return state.index as number;
  };
  const operations: Operation[] = [
    { name: 'get-post', service: 'posts', next: (s) => ({ method: 'GET', path: `/posts/${postIds[(own(s) * 7 + s.count) % postIds.length]}` }) },
    { name: 'recent-posts', service: 'posts', next: () => ({ method: 'GET', path: '/posts?limit=25' }) },
    { name: 'community-posts', service: 'posts', next: () => ({ method: 'GET', path: '/communities/bench_1/posts?limit=25' }) },
    { name: 'top-posts', service: 'votes', next: () => ({ method: 'GET', path: '/votes/top?limit=10' }) },
    {
      // Each connection is one voter (requests of a connection never overlap), flipping its vote
      // on a post every request: every request changes a tally and an author's karma.
      name: 'vote',
      service: 'votes',
      next: (s) => {
        const index = own(s) % voters.length;
        const voter = voters[index] as typeof reader;
        const post = postIds[s.count % postIds.length] as number;
        votedPairs.add(`${index}:${post}`);
        return { method: 'PUT', path: `/votes/${post}`, headers: { ...json, ...bearer(voter.token) }, body: JSON.stringify({ direction: s.count % 2 ? 'up' : 'down' }) };
      },
    },
    {
      name: 'create-post',
      service: 'posts',
      next: (s) => {
        const author = authors[own(s) % authors.length] as typeof reader;
        return { method: 'POST', path: '/posts', headers: { ...json, ...bearer(author.token) }, body: JSON.stringify({ title: `Bench ${s.count}`, text: 'Some text of a post.', community: 'bench_new' }) };
      },
    },
    {
      name: 'send-message',
      service: 'messages',
      next: (s) => {
        const from = voters[own(s) % voters.length] as typeof reader;
        return { method: 'POST', path: '/messages', headers: { ...json, ...bearer(from.token) }, body: JSON.stringify({ to: reader.username, content: `bench ${s.count}` }) };
      },
    },
    { name: 'inbox', service: 'messages', next: () => ({ method: 'GET', path: '/messages?box=inbox&limit=25', headers: bearer(reader.token) }) },
    {
      name: 'login',
      service: 'users',
      next: (s) => {
        const user = voters[own(s) % voters.length] as typeof reader;
        return { method: 'POST', path: '/auth/login', headers: json, body: JSON.stringify({ username: user.username, password: PASSWORD }) };
      },
    },
    { name: 'status', service: 'users', next: (s) => ({ method: 'GET', path: '/auth/status', headers: bearer((voters[own(s) % voters.length] as typeof reader).token) }) },
    { name: 'list-exercises', service: 'exercises', next: () => ({ method: 'GET', path: '/exercises?limit=25' }) },
  ];
  const only = args.only?.split(',');
  const chosen = only ? operations.filter((op) => only.includes(op.name)) : operations;
  if (only && chosen.length !== only.length) throw new Error(`unknown operation in --only; known: ${operations.map((op) => op.name).join(', ')}`);

  const hello = await startHelloServer();
  try {
    const idle = sumRss(processes());
    notes.push(`idle RSS, multi-process system (${Object.keys(processes()).length} processes incl. launcher): ${mb(idle)} MB`);
    for (const connections of CONNECTIONS) {
      samples.push(await measure('node:http hello', 'direct', connections, `http://127.0.0.1:${hello.port}`, () => ({ method: 'GET', path: '/' }), { hello: hello.pid }));
      for (const op of chosen) {
        for (const target of TARGETS) {
          const url = target === 'gateway' ? system.baseUrl : `http://127.0.0.1:${system.portBase + (OFFSET[op.service] as number)}`;
          const prefix = target === 'gateway' ? '/api/v1' : '';
          connectionCounter = 0;
          samples.push(
            await measure(op.name, target, connections, url, (s) => {
              const request = op.next(s);
              return { ...request, path: prefix + request.path };
            }, processes()),
          );
        }
      }
    }
  } finally {
    hello.stop();
  }
  if (chosen.some((op) => op.name === 'vote')) notes.push(await checkVotes(api, voters, authors, postIds, votedPairs));
  notes.push(`loaded RSS (peak sampled during the runs), multi-process: ${mb(peakRss)} MB`);
} finally {
  await system.stop();
}
notes.push(`start to healthy (scripts/start.mjs on a built tree → every service ok on /health), multi-process: ${(system.healthyAfterMs / 1000).toFixed(1)} s`);

if (!args['skip-rss']) {
  const single = await launchSystem({ args: ['--single-process'], env: { LOG_LEVEL: 'info', NODE_ENV: 'development' } });
  try {
    notes.push(`start to healthy, --single-process: ${(single.healthyAfterMs / 1000).toFixed(1)} s`);
    await new Promise((done) => setTimeout(done, 2_000));
    notes.push(`idle RSS, --single-process (launcher + 1 process): ${mb(sumRss(systemProcesses(single.pid)))} MB`);
    peakRss = 0;
    const pids = systemProcesses(single.pid);
    await measure('single-process recent-posts', 'gateway', 50, single.baseUrl, () => ({ method: 'GET', path: '/api/v1/posts?limit=25' }), pids);
    notes.push(`loaded RSS, --single-process (peak during ${DURATION} s of recent-posts at 50 connections): ${mb(peakRss)} MB`);
  } finally {
    await single.stop();
  }
}

// ---- report ----
const baseline: Sample[] | undefined = args.compare ? JSON.parse(readFileSync(args.compare, 'utf8')).samples : undefined;
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
console.log(`\nnpm run bench — ${new Date().toISOString()}, ${cpus().length} × ${cpuModel}, ${mb(totalmem())} MB RAM, Node ${process.version}`);
console.log(`database: ${postgresUrl ? 'PostgreSQL' : 'SQLite'}; ${DURATION} s per run after a 1 s warm-up; load generator in this process on the same machine\n`);
const header = [
  'operation',
  'target',
  'conn',
  'req/s',
  'p50 ms',
  'p99 ms',
  'non-2xx',
  'CPU µs/req by process',
  ...(baseline ? ['baseline req/s', 'ratio', 'baseline CPU µs/req'] : []),
];
const cpuByProcess = (sample: Sample) =>
  Object.entries(sample.cpuPerRequest)
    .filter(([, us]) => us >= 5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${Math.round(us)}`)
    .join(', ');
const rows = samples.map((s) => {
  const cpu = cpuByProcess(s);
  const before = baseline?.find((b) => b.operation === s.operation && b.target === s.target && b.connections === s.connections);
  return [
    s.operation,
    s.target,
    String(s.connections),
    Math.round(s.rps).toLocaleString('en'),
    s.p50.toFixed(1),
    s.p99.toFixed(1),
    String(s.non2xx + s.errors),
    cpu,
    ...(baseline
      ? [before ? Math.round(before.rps).toLocaleString('en') : '—', before ? `${(s.rps / before.rps).toFixed(2)}×` : '—', before ? cpuByProcess(before) : '—']
      : []),
  ];
});
console.log(markdownTable(header, rows));
console.log('');
for (const note of notes) console.log(`- ${note}`);
if (args.save) {
  writeFileSync(args.save, `${JSON.stringify({ date: new Date().toISOString(), database: postgresUrl ? 'postgres' : 'sqlite', samples, notes }, null, 2)}\n`);
  console.log(`\nsaved to ${args.save}`);
}

// ---- helpers ----
async function measure(
  operation: string,
  target: string,
  connections: number,
  url: string,
  next: (state: Record<string, any>) => { method: string; path: string; headers?: Record<string, string>; body?: string },
  pids: Record<string, number>,
): Promise<Sample> {
  const requests = [{ setupRequest: (request: any, context: Record<string, any>) => ({ ...request, ...next(context) }) }];
  await autocannon({ url, connections, duration: 1, requests: requests as any });
  const before = cpuTicks(pids);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, sumRss(pids));
  }, 500);
  const result = await autocannon({ url, connections, duration: DURATION, requests: requests as any });
  clearInterval(sampler);
  const after = cpuTicks(pids);
  const total = result.requests.total;
  const cpuPerRequest: Record<string, number> = {};
  for (const name of Object.keys(pids)) {
    cpuPerRequest[name] = (((after[name] ?? 0) - (before[name] ?? 0)) * 1e6) / TICKS_PER_SECOND / Math.max(total, 1);
  }
  const sample = {
    operation,
    target,
    connections,
    requests: total,
    rps: total / DURATION,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuPerRequest,
  };
  console.error(`${operation.padEnd(28)} ${target.padEnd(8)} ${String(connections).padStart(3)} conn  ${Math.round(sample.rps).toString().padStart(6)} req/s  p99 ${sample.p99} ms  non-2xx ${sample.non2xx + sample.errors}`);
  return sample;
}

/**
 * After the vote runs: give every (voter, post) pair of the run a known final direction, wait for
 * the karma events, then the tallies and every author's karma must be exactly what those votes say.
 */
async function checkVotes(
  api: (path: string, init?: { method?: string; token?: string; json?: unknown }) => Promise<any>,
  voters: Array<{ token: string }>,
  authors: Array<{ id: number }>,
  postIds: number[],
  votedPairs: Set<string>,
): Promise<string> {
  const expected = new Map<number, number>();
  const pairs = [...votedPairs].map((pair) => pair.split(':').map(Number) as [number, number]);
  // Distinct pairs are independent, so they can be settled in parallel.
  for (let i = 0; i < pairs.length; i += 20) {
    await Promise.all(
      pairs.slice(i, i + 20).map(async ([v, post]) => {
        const direction = (v + post) % 3 === 0 ? 'up' : (v + post) % 3 === 1 ? 'down' : 'none';
        await api(`/votes/${post}`, { method: 'PUT', token: (voters[v] as { token: string }).token, json: { direction } });
        expected.set(post, (expected.get(post) ?? 0) + (direction === 'up' ? 1 : direction === 'down' ? -1 : 0));
      }),
    );
  }
  for (const post of postIds) {
    const tally = await api(`/votes/${post}`);
    if (tally.score !== (expected.get(post) ?? 0)) throw new Error(`vote tally of post ${post} is ${tally.score}, expected ${expected.get(post) ?? 0}`);
  }
  const expectedKarma = (authorIndex: number) =>
    postIds.slice(authorIndex * 20, authorIndex * 20 + 20).reduce((sum, post) => sum + (expected.get(post) ?? 0), 0);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const karma = await Promise.all(authors.map((author) => api(`/users/${author.id}`).then((user) => user.karma as number)));
    if (karma.every((value, i) => value === expectedKarma(i))) break;
    if (Date.now() > deadline) throw new Error(`karma ${karma.join(',')} ≠ expected ${authors.map((_, i) => expectedKarma(i)).join(',')} after 60 s`);
    await new Promise((done) => setTimeout(done, 250));
  }
  return `votes checked: ${pairs.length} (voter, post) pairs voted during the runs, then settled; ${postIds.length} tallies and ${authors.length} authors' karma exact`;
}

/** The launcher and every process below it, named by the service it runs. */
function systemProcesses(rootPid: number): Record<string, number> {
  const found: Record<string, number> = { launcher: rootPid };
  const visit = (pid: number) => {
    let children: string[] = [];
    try {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
      }
    } catch {
      return;
    }
    for (const child of children.map(Number)) {
      const command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ');
      const name = /services\/(\w+)\/dist/.exec(command)?.[1] ?? (command.includes('single-process') ? 'codeyard' : `pid${child}`);
      found[name in found ? `${name}-${child}` : name] = child;
      visit(child);
    }
  };
  visit(rootPid);
  return found;
}

function cpuTicks(pids: Record<string, number>): Record<string, number> {
  const ticks: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks[name] = Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process has gone
    }
  }
  return ticks;
}

function sumRss(pids: Record<string, number>): number {
  let bytes = 0;
  for (const pid of Object.values(pids)) {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      bytes += Number(kb ?? 0) * 1024;
    } catch {
      // the process has gone
    }
  }
  return bytes;
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** A plain node:http "hello" in its own process: the ceiling of this machine for one Node process. */
async function startHelloServer(): Promise<{ port: number; pid: number; stop(): void }> {
  const code = `const s = require('node:http').createServer((q, r) => { r.setHeader('content-type', 'application/json'); r.end('{"hello":"world"}'); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((done, fail) => {
    child.stdout.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
    child.once('exit', (codeOrNull) => fail(new Error(`hello server exited (${codeOrNull})`)));
  });
  return { port, pid: child.pid as number, stop: () => child.kill() };
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

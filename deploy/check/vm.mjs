#!/usr/bin/env node
// The VM layout for real: deploy/vm/Procfile (2 gateways, 3 posts, 2 votes, 2 scores and one of
// each other service) run by deploy/vm/run.mjs on a fresh PostgreSQL database, behind Caddy with
// deploy/vm/Caddyfile. Virtual users walk a journey through Caddy for VM_SECONDS (60) while one
// replica of each replicated service is killed with SIGKILL; then the data is checked. Fails on
// any failed client request or any data mismatch.
//   npm run build && node deploy/check/vm.mjs          (needs caddy and PostgreSQL)
// Ports: the layout's ports are moved to VM_PORT_BASE (18600) and up, so it runs beside `npm start`.
// PostgreSQL: VM_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECONDS = Number(process.env.VM_SECONDS ?? 60);
const USERS = Number(process.env.VM_USERS ?? 12);
const PORT_BASE = Number(process.env.VM_PORT_BASE ?? 18600);
const ADMIN_URL = process.env.VM_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Replicas killed mid-run, and when (share of the run). */
const KILLS = [
  { name: 'gateway1', at: 0.3 },
  { name: 'posts1', at: 0.4 },
  { name: 'votes1', at: 0.5 },
  { name: 'scores1', at: 0.6 },
];

const scratch = mkdtempSync(join(tmpdir(), 'codeyard-vm-'));
const database = `codeyard_vm_${Date.now()}_${process.pid}`;
const started = performance.now();
const since = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const log = (message) => console.log(`[vm ${since()}] ${message}`);

// --- the layout, moved to our ports -------------------------------------------------------------
const procfileText = readFileSync(join(root, 'deploy', 'vm', 'Procfile'), 'utf8');
const caddyfileText = readFileSync(join(root, 'deploy', 'vm', 'Caddyfile'), 'utf8');
const layoutPorts = [...new Set([...`${procfileText}\n${caddyfileText}`.matchAll(/\b(80[89]\d|98\d\d)\b/g)].map((m) => Number(m[1])))].sort();
const portOf = new Map(layoutPorts.map((port, index) => [port, PORT_BASE + 1 + index]));
const movePorts = (text) => text.replace(/\b(80[89]\d|98\d\d)\b/g, (port) => String(portOf.get(Number(port))));
const site = `http://127.0.0.1:${PORT_BASE}`;
const caddyfile = join(scratch, 'Caddyfile');
writeFileSync(caddyfile, movePorts(caddyfileText));
const procfile = join(scratch, 'Procfile');
const secretsDir = join(scratch, 'secrets');
writeFileSync(procfile, movePorts(procfileText).replaceAll('deploy/vm/Caddyfile', caddyfile).replaceAll('deploy/vm/secrets/', `${secretsDir}/`));

// --- database and environment -------------------------------------------------------------------
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
// One env file per process, as the runbook makes them (each service sees only its own secrets).
execFileSync(process.execPath, [join(root, 'deploy', 'make-secrets.mjs'), 'vm', '--database-url', databaseUrl, '--out', secretsDir], { encoding: 'utf8' });
const serviceUrls = { USERS_URL: 8081, EXERCISES_URL: 8082, EVAL_URL: 8083, SCORES_URL: 8084, POSTS_URL: 8085, VOTES_URL: 8086, MESSAGES_URL: 8087 };
const pidsFile = join(scratch, 'pids.json');
const output = [];

/** Starts the layout on `url` with deploy/vm/run.mjs and resolves once the gateway's /health is 200. */
async function startLayout(url) {
  for (const file of readdirSync(secretsDir)) {
    const path = join(secretsDir, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^DATABASE_URL=.*$/m, `DATABASE_URL=${url}`));
  }
  const env = [
    readFileSync(join(root, 'deploy', 'vm', '.env.example'), 'utf8'),
    `CODEYARD_SITE=${site}`,
    `CADDY_ADMIN=127.0.0.1:${PORT_BASE + 99}`,
    'LOG_LEVEL=warn',
    // One client address for every virtual user: the limits are not under test here.
    'RATE_LIMIT_DEFAULT=1000000',
    'RATE_LIMIT_LOGIN=1000000',
    'RATE_LIMIT_REGISTER=1000000',
    ...Object.entries(serviceUrls).map(([key, port]) => `${key}=http://127.0.0.1:${portOf.get(port)}`),
  ].join('\n');
  writeFileSync(join(scratch, '.env'), env);
  output.length = 0;
  const runner = spawn(process.execPath, [join(root, 'deploy', 'vm', 'run.mjs'), procfile, '--env', join(scratch, '.env'), '--pids', pidsFile], {
    cwd: root,
    env: { ...process.env, XDG_DATA_HOME: scratch, XDG_CONFIG_HOME: scratch, HOME: scratch },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [runner.stdout, runner.stderr]) stream.on('data', (chunk) => output.push(chunk.toString()));
  const exited = new Promise((resolve) => runner.once('exit', resolve));
  const processes = procfileText.split('\n').filter((line) => /^[A-Za-z0-9_-]+:/.test(line)).length;
  log(`${processes} processes starting (deploy/vm/run.mjs); site ${site}`);
  const layout = {
    async stop() {
      runner.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitFor(async () => {
      if (/^caddy +\| exited/m.test(output.join(''))) throw Object.assign(new Error('caddy exited: see its output'), { fatal: true });
      return (await fetch(`${site}/health`)).status === 200;
    }, 120_000);
  } catch (error) {
    await layout.stop();
    throw error;
  }
  log('every service ready behind Caddy (gateway /health: 200)');
  return layout;
}

/** pg_dump / pg_restore as the runbook has them, timed. */
function run(command, args) {
  const begun = performance.now();
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return `${command} ${((performance.now() - begun) / 1000).toFixed(1)} s`;
}

let exitCode = 1;
let layout;
const restored = `${database}_restored`;
try {
  layout = await startLayout(databaseUrl);
  const result = await runJourney();
  const problems = await checkData(result);
  const failures = result.failures;
  log(
    `${result.requests} requests by ${USERS} users in ${SECONDS} s, ${failures.length} failed; ` +
      `latency p50 ${percentile(result.latencies, 0.5)} ms, p99 ${percentile(result.latencies, 0.99)} ms, max ${Math.max(...result.latencies)} ms; ` +
      `${result.retries.length} safe requests answered 502/503 or lost and were sent again`,
  );
  for (const retry of result.retries.slice(0, 20)) console.log(`  sent again: ${retry}`);
  for (const failure of failures.slice(0, 20)) console.error(`  failed: ${failure}`);
  for (const problem of problems.slice(0, 20)) console.error(`  data: ${problem}`);
  if (failures.length === 0 && problems.length === 0) {
    log(`data check passed: ${result.posts.length} posts, ${result.votes.size} votes, karma of ${result.users.length} users`);
    // Back up, restore into a new database, run the layout on it: the same data check must pass.
    await layout.stop();
    layout = undefined;
    const dump = join(scratch, 'codeyard.dump');
    const dumped = run('pg_dump', ['--format=custom', '--no-owner', `--file=${dump}`, databaseUrl]);
    await admin.query(`create database ${restored}`);
    const restoredUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${restored}` }).toString();
    const loaded = run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, dump]);
    log(`backed up and restored into ${restored} (${dumped}, ${loaded})`);
    layout = await startLayout(restoredUrl);
    const after = await checkData(result);
    for (const problem of after.slice(0, 20)) console.error(`  data after restore: ${problem}`);
    if (after.length === 0) {
      log('data check passed on the restored database');
      exitCode = 0;
    }
  }
} catch (error) {
  console.error(`[vm ${since()}] ${error.stack ?? error}`);
} finally {
  await layout?.stop();
  if (exitCode !== 0) console.error(`--- process output (last 60 lines) ---\n${output.join('').split('\n').slice(-60).join('\n')}`);
  for (const name of [database, restored]) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  rmSync(scratch, { recursive: true, force: true });
  log(exitCode === 0 ? 'passed' : 'FAILED');
}
process.exit(exitCode);

// --- the journey --------------------------------------------------------------------------------
async function runJourney() {
  const failures = [];
  const retries = [];
  const latencies = [];
  let requests = 0;
  /**
   * One request through Caddy, as a careful client sends it: a request that is safe to repeat
   * (GET, PUT, or a create with an Idempotency-Key) is tried again up to 3 times on a network
   * error, 502 or 503 — what Debian's Caddy 2.6 cannot do itself for a request with a body
   * (deploy/vm/Caddyfile). Whatever still goes wrong is a failure.
   */
  async function call(user, method, path, body, expected, headers = {}) {
    const safe = method === 'GET' || method === 'PUT' || 'idempotency-key' in headers;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await attemptCall(user, method, path, body, expected, headers);
      if (outcome.ok) return outcome.value;
      if (!safe || !outcome.retryable || attempt === 4) {
        failures.push(outcome.failure);
        return undefined;
      }
      retries.push(outcome.failure);
      await delay(250 * attempt);
    }
  }
  async function attemptCall(user, method, path, body, expected, headers) {
    const begun = performance.now();
    requests += 1;
    try {
      const response = await fetch(`${site}/api/v1${path}`, {
        method,
        headers: {
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(user?.token && { authorization: `Bearer ${user.token}` }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      latencies.push(Math.round(performance.now() - begun));
      if (response.status !== expected) {
        const failure = `${since()} ${method} ${path} → ${response.status} ${text.slice(0, 160)}`;
        return { ok: false, retryable: response.status === 502 || response.status === 503, failure };
      }
      return { ok: true, value: text ? JSON.parse(text) : {} };
    } catch (error) {
      return { ok: false, retryable: true, failure: `${since()} ${method} ${path} → ${error.name}: ${error.message}` };
    }
  }

  const community = `vm${Date.now().toString(36)}`;
  const users = [];
  for (let i = 0; i < USERS; i += 1) {
    const username = `vm_${process.pid}_${i}`;
    const password = 'a-long-password-1';
    const created = await call(undefined, 'POST', '/auth/register', { username, email: `${username}@example.test`, password }, 201);
    const login = await call(undefined, 'POST', '/auth/login', { username, password }, 200);
    if (created && login) users.push({ id: created.id, username, token: login.access_token });
  }
  if (users.length !== USERS) throw new Error(`only ${users.length} of ${USERS} users could sign up: ${failures.join('; ')}`);
  log(`${USERS} users signed up; journey for ${SECONDS} s, killing ${KILLS.map((kill) => kill.name).join(', ')} on the way`);

  const posts = [];
  /** Last direction per `${userId}:${postId}`: what the tallies and karma must add up to. */
  const votes = new Map();
  const deadline = Date.now() + SECONDS * 1000;
  const killers = KILLS.map((kill) =>
    delay(kill.at * SECONDS * 1000).then(() => {
      const pid = JSON.parse(readFileSync(pidsFile, 'utf8'))[kill.name];
      process.kill(pid, 'SIGKILL');
      log(`kill -9 ${kill.name} (pid ${pid})`);
    }),
  );
  const walk = async (user) => {
    while (Date.now() < deadline) {
      await call(user, 'GET', '/posts?limit=10', undefined, 200);
      const post = await call(user, 'POST', '/posts', { title: `post of ${user.username}`, text: 'Journey', community }, 201, {
        'idempotency-key': randomUUID(),
      });
      if (post) posts.push({ id: post.id, authorId: user.id });
      if (posts.length > 0) {
        const target = posts[Math.floor(Math.random() * posts.length)];
        const direction = Math.random() < 0.7 ? 'up' : 'down';
        const tally = await call(user, 'PUT', `/votes/${target.id}`, { direction }, 200);
        if (tally) votes.set(`${user.id}:${target.id}`, direction === 'up' ? 1 : -1);
        await call(user, 'GET', `/votes/${target.id}`, undefined, 200);
      }
      await call(user, 'GET', '/scores/leaderboard?limit=5', undefined, 200);
      await call(user, 'GET', `/users/${user.id}`, undefined, 200);
    }
  };
  await Promise.all([...users.map(walk), ...killers]);
  return { failures, retries, latencies, requests, users, posts, votes, community };
}

// --- the data check -------------------------------------------------------------------------------
async function checkData({ users, posts, votes, community }) {
  const problems = [];
  const get = async (path) => {
    const response = await fetch(`${site}/api/v1${path}`);
    return { status: response.status, body: await response.json() };
  };
  // Every acknowledged post exists once: the community counts exactly those (no retried duplicate).
  const communities = (await get('/communities')).body;
  const counted = communities.find((entry) => entry.name === community)?.posts;
  if (counted !== posts.length) problems.push(`community ${community} holds ${counted} posts, ${posts.length} were acknowledged`);
  const authorOf = new Map(posts.map((post) => [post.id, post.authorId]));
  const scoreOf = new Map();
  // Self-votes count in the tally, not in the author's karma.
  const expectedKarma = new Map(users.map((user) => [user.id, 0]));
  for (const [key, value] of votes) {
    const [voterId, postId] = key.split(':').map(Number);
    scoreOf.set(postId, (scoreOf.get(postId) ?? 0) + value);
    const authorId = authorOf.get(postId);
    if (authorId !== voterId) expectedKarma.set(authorId, (expectedKarma.get(authorId) ?? 0) + value);
  }
  for (const post of posts) {
    const { status } = await get(`/posts/${post.id}`);
    if (status !== 200) problems.push(`post ${post.id} answers ${status}`);
    const tally = (await get(`/votes/${post.id}`)).body;
    const expected = scoreOf.get(post.id) ?? 0;
    if (tally.score !== expected) problems.push(`post ${post.id}: score ${tally.score}, votes acknowledged add up to ${expected}`);
  }
  // Karma arrives through the votes outbox: wait until it has drained (or give up after 60 s).
  const karmaProblems = async () => {
    const found = [];
    for (const user of users) {
      const karma = (await get(`/users/${user.id}`)).body.karma;
      if (karma !== expectedKarma.get(user.id)) found.push(`user ${user.id}: karma ${karma}, expected ${expectedKarma.get(user.id)}`);
    }
    return found;
  };
  let remaining = await karmaProblems();
  const until = Date.now() + 60_000;
  while (remaining.length > 0 && Date.now() < until) {
    await delay(1_000);
    remaining = await karmaProblems();
  }
  problems.push(...remaining);
  return problems;
}

// --- helpers --------------------------------------------------------------------------------------
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a truthy value (errors count as not yet), or throws after `ms`. */
async function waitFor(check, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if (error.fatal) throw error;
    }
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${check.toString().slice(0, 120)}`);
    await delay(250);
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

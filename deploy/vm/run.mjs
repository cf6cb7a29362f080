#!/usr/bin/env node
// Runs every process of a Procfile with one environment file, the way a VM's process manager
// would: each line's output prefixed with its name, a process that exits is started again after
// a second (systemd's Restart=always, RestartSec=1), SIGTERM/SIGINT stops them all gracefully.
//   node deploy/vm/run.mjs deploy/vm/Procfile --env deploy/vm/.env [--pids FILE]
// --pids writes {"name": pid, …} after every (re)start, for tools that signal one process.
// Run from the repository root (the Procfile's commands are relative to it).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { env: { type: 'string' }, pids: { type: 'string' } },
});
const [procfile] = positionals;
if (!procfile) {
  console.error('usage: node deploy/vm/run.mjs PROCFILE [--env FILE] [--pids FILE]');
  process.exit(2);
}

/** KEY=value lines; `#` comments and blank lines skipped; values taken literally. */
function readEnvFile(file) {
  const env = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

const env = { ...process.env, ...(values.env ? readEnvFile(values.env) : {}) };
const entries = readFileSync(procfile, 'utf8')
  .split('\n')
  .map((line) => /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(line))
  .filter(Boolean)
  .map(([, name, command]) => ({ name, command }));
const width = Math.max(...entries.map((entry) => entry.name.length));
const running = new Map();
let stopping = false;

function writePids() {
  if (values.pids) writeFileSync(values.pids, JSON.stringify(Object.fromEntries([...running].map(([name, child]) => [name, child.pid]))));
}

function prefixLines(name, stream, out) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) out.write(`${name.padEnd(width)} | ${line}\n`);
  });
}

function start({ name, command }) {
  // exec: the shell becomes the process, so a signal to this pid reaches the service itself.
  const child = spawn('sh', ['-c', `exec ${command}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.set(name, child);
  writePids();
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (running.get(name) === child) running.delete(name);
    if (stopping) return;
    console.log(`${name.padEnd(width)} | exited (${signal ?? code}); starting again in 1 s`);
    setTimeout(() => stopping || start({ name, command }), 1_000);
  });
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of running.values()) child.kill('SIGTERM');
  // The services close within 10 s; whatever is left after 15 s is killed.
  const force = setTimeout(() => {
    for (const child of running.values()) child.kill('SIGKILL');
  }, 15_000);
  force.unref();
  const wait = setInterval(() => {
    if (running.size === 0) {
      clearInterval(wait);
      process.exit(signal === 'SIGINT' ? 130 : 0);
    }
  }, 100);
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
for (const entry of entries) start(entry);

#!/usr/bin/env node
// The registry mirror this project is developed against serves only the platform packages of
// Linux, so `npm install` leaves the other platforms' optional binaries (esbuild, biome, rollup,
// @node-rs/*) out of package-lock.json, and `npm ci` then calls the lock "out of sync". This adds
// those entries back with the os/cpu/libc their names state, so `npm ci` skips them here and
// fetches them on a Mac or Windows machine from the public registry. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split(/[/-]/);
  const os = parts.find((part) => OS.includes(part)) ?? (parts.includes('windows') ? 'win32' : parts.includes('macos') ? 'darwin' : undefined);
  const cpu = parts.find((part) => CPU.includes(part)) ?? (parts.includes('x86') || parts.includes('x86_64') ? 'x64' : parts.includes('eabi') || parts.includes('gnueabihf') ? 'arm' : undefined);
  const libc = parts.includes('musl') ? 'musl' : parts.includes('gnu') && os === 'linux' ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os && !cpu) continue; // not a platform binary: leave it to npm
    lock.packages[`node_modules/${name}`] = {
      version,
      optional: true,
      ...(os && { os: [os] }),
      ...(cpu && { cpu: [cpu] }),
      ...(libc && { libc: [libc] }),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} other-platform optional entries`);

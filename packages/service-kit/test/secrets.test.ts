import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, readOrCreateSecretFile } from '@codeyard/service-kit';
import { afterEach, describe, expect, it } from 'vitest';

const secretsModule = fileURLToPath(new URL('../dist/secrets.js', import.meta.url));

/** Runs readOrCreateSecretFile in a separate Node process, as a service starting up would. */
function createInChildProcess(path: string): Promise<string> {
  const script = `import { readOrCreateSecretFile } from ${JSON.stringify(secretsModule)};
    process.stdout.write(readOrCreateSecretFile(${JSON.stringify(path)}, () => String(process.pid) + Math.random()));`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`child exited with ${code}`))));
  });
}

describe('service-kit: secret files', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'codeyard-secrets-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives every process starting together the same secret and leaves no temporary files', async () => {
    const data = join(tempDir(), 'data');
    const path = join(data, 'service-secret');
    const values = await Promise.all(Array.from({ length: 8 }, () => createInChildProcess(path)));
    expect(new Set(values).size).toBe(1);
    expect(values[0]).not.toBe('');
    expect(readdirSync(data)).toEqual(['service-secret']);
  }, 30_000);

  it('creates the directory owner-only (0700) and the file 0600', () => {
    const data = join(tempDir(), 'data');
    readOrCreateSecretFile(join(data, 'key'), () => 'secret-value');
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 'key')).mode & 0o777).toBe(0o600);
  });

  it('keeps an existing secret', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'key'), 'kept\n');
    expect(readOrCreateSecretFile(join(dir, 'key'), () => 'new')).toBe('kept');
  });

  it('treats only a missing file as missing: an unreadable path or an empty file is an error, not replaced', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a-directory'));
    expect(() => readOrCreateSecretFile(join(dir, 'a-directory'), () => 'new')).toThrow(ConfigError);
    writeFileSync(join(dir, 'empty'), '');
    expect(() => readOrCreateSecretFile(join(dir, 'empty'), () => 'new')).toThrow(/is empty/);
    expect(statSync(join(dir, 'a-directory')).isDirectory()).toBe(true);
  });
});

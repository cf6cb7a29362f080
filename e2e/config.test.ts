import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtServices } from './launch.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

describe('a service started with a wrong configuration', () => {
  it.each([...builtServices(), 'gateway'])('%s stops at once naming the variable', (service) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codeyard-config-'));
    try {
      const result = spawnSync(process.execPath, [join(root, 'services', service, 'dist', 'server.js')], {
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: 'eighty', LOG_LEVEL: 'loud' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(78);
      expect(result.stderr).toMatch(/^\s*- PORT: /m);
      expect(result.stderr).toMatch(/^\s*- LOG_LEVEL: /m);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('users refuses to start in production without its secrets', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codeyard-config-'));
    try {
      const result = spawnSync(process.execPath, [join(root, 'services/users/dist/server.js')], {
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, NODE_ENV: 'production', PORT: '0' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(78);
      expect(result.stderr).toMatch(/JWT_PRIVATE_KEY: is required in production/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

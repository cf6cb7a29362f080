import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type CommonConfig, ConfigError } from './config.js';

/**
 * Reads a secret file under DATA_DIR, creating it with fresh random content on first use.
 * Written to a temporary file and renamed, so services starting together agree on one value.
 */
export function readOrCreateSecretFile(path: string, create: () => string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, create(), { mode: 0o600, flag: 'wx' });
    try {
      // link-like semantics: keep whichever file won the race
      readFileSync(path, 'utf8');
    } catch {
      renameSync(temp, path);
    }
    return readFileSync(path, 'utf8').trim();
  }
}

/**
 * The secret that signs service credentials. In production it must come from the environment;
 * on a laptop it is generated once into DATA_DIR so `npm start` needs no set-up.
 */
export function resolveServiceSecret(config: CommonConfig): string {
  if (config.SERVICE_SECRET) return config.SERVICE_SECRET;
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(['SERVICE_SECRET: is required in production (at least 32 characters)']);
  }
  return readOrCreateSecretFile(resolve(config.DATA_DIR, 'service-secret'), () => randomBytes(32).toString('base64url'));
}

import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type CommonConfig, ConfigError } from './config.js';

const isErrorCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException | undefined)?.code === code;

/** DATA_DIR holds databases, the signing key and secrets: owner-only (0700). */
export function ensurePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

/** A secret file's content, or undefined when it does not exist. Any other failure is an error, never "missing". */
function readSecretFile(path: string): string | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw new ConfigError([`${path}: cannot be read (${(error as Error).message})`]);
  }
  if (content === '') throw new ConfigError([`${path}: is empty; delete it to have it generated again`]);
  return content;
}

/**
 * Reads a secret file under DATA_DIR, creating it (0600, in a 0700 directory) with fresh random
 * content on first use. Processes starting together agree on one value: each writes its own
 * temporary file and hard-links it into place, which fails if the file exists; everyone then
 * reads back the winner, and the temporary file is always removed.
 */
export function readOrCreateSecretFile(path: string, create: () => string): string {
  const existing = readSecretFile(path);
  if (existing !== undefined) return existing;
  ensurePrivateDirectory(dirname(path));
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temp, create(), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (error) {
    if (!isErrorCode(error, 'EEXIST')) throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  const winner = readSecretFile(path);
  if (winner === undefined) throw new ConfigError([`${path}: vanished while it was being created`]);
  return winner;
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

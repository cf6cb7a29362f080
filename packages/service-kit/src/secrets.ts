import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createServiceCredential } from './auth.js';
import { type CommonConfig, ConfigError } from './config.js';
import {
  CREDENTIALED_SERVICES,
  formatServicePublicKeys,
  newServicePrivateKey,
  SERVICE_KEY_TEXT,
  servicePublicKeyOf,
} from './service-keys.js';

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
 * The public keys of the callers this service accepts (`trusted`), from SERVICE_PUBLIC_KEYS.
 * Any other service's credential is refused. In production a trusted caller without a key
 * stops the process: its calls could never succeed.
 */
export function trustedServiceKeys(config: CommonConfig, trusted: readonly string[]): Map<string, KeyObject[]> {
  const all = config.SERVICE_PUBLIC_KEYS ?? new Map<string, KeyObject[]>();
  const keys = new Map([...all].filter(([name]) => trusted.includes(name)));
  const missing = trusted.filter((name) => !keys.has(name));
  if (missing.length > 0 && config.NODE_ENV === 'production') {
    throw new ConfigError([`SERVICE_PUBLIC_KEYS: needs the public key of ${missing.join(', ')} (this service accepts its calls)`]);
  }
  return keys;
}

/**
 * Credentials signed with this service's own key (SERVICE_PRIVATE_KEY). A service that calls internal endpoints
 * cannot work without it in production; elsewhere it then sends no credential (and its
 * internal calls are refused, which the tests of the callee cover).
 */
export function ownServiceCredential(config: CommonConfig, serviceName: string): (() => Promise<string>) | undefined {
  if (config.SERVICE_PRIVATE_KEY) return createServiceCredential(serviceName, config.SERVICE_PRIVATE_KEY);
  if (config.NODE_ENV === 'production') {
    throw new ConfigError([`SERVICE_PRIVATE_KEY: is required in production for ${serviceName} (it calls internal endpoints of other services)`]);
  }
  return undefined;
}

/**
 * The launcher's keys on a laptop: one private key per credentialed service, generated once into
 * DATA_DIR (owner-only, atomically), and the public keys every service gets.
 */
export function developmentServiceKeys(dataDir: string): { privateKeys: Record<string, string>; publicKeys: string } {
  const privateKeys: Record<string, string> = {};
  const publicKeys: Record<string, string> = {};
  for (const name of CREDENTIALED_SERVICES) {
    const seed = readOrCreateSecretFile(resolve(dataDir, `service-key-${name}`), newServicePrivateKey);
    if (!SERVICE_KEY_TEXT.test(seed)) throw new ConfigError([`${resolve(dataDir, `service-key-${name}`)}: is not a service key; delete it to have it generated again`]);
    privateKeys[name] = seed;
    publicKeys[name] = servicePublicKeyOf(seed);
  }
  return { privateKeys, publicKeys: formatServicePublicKeys(publicKeys) };
}

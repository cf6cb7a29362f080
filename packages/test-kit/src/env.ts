import { createHash } from 'node:crypto';
import { formatServicePublicKeys, servicePublicKeyOf } from '@codeyard/service-kit';

const TEST_SERVICE_NAMES = ['users', 'exercises', 'eval', 'scores', 'posts', 'votes', 'messages', 'tester'];

/** A fixed Ed25519 key per service name for tests (never used outside them): its seed, base64url. */
export const TEST_SERVICE_PRIVATE_KEYS: Record<string, string> = Object.fromEntries(
  TEST_SERVICE_NAMES.map((name) => [name, createHash('sha256').update(`codeyard-test-service-key:${name}`).digest('base64url')]),
);

/** SERVICE_PUBLIC_KEYS with every test key: each service still accepts only the callers it trusts. */
export const TEST_SERVICE_PUBLIC_KEYS = formatServicePublicKeys(
  Object.fromEntries(Object.entries(TEST_SERVICE_PRIVATE_KEYS).map(([name, seed]) => [name, servicePublicKeyOf(seed)])),
);

/**
 * Base env for a service under test: quiet logs, test mode, cheap password hashing, every test
 * service's public key. A service that signs credentials also needs its own
 * `SERVICE_PRIVATE_KEY: TEST_SERVICE_PRIVATE_KEYS.<name>`.
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SERVICE_PUBLIC_KEYS: TEST_SERVICE_PUBLIC_KEYS,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ...overrides,
  };
}

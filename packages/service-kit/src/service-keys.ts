import { createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';

/**
 * Each service that calls internal endpoints signs its credentials with its own Ed25519 key
 * (decision 001). Keys travel as base64url text, safe in any env file:
 * - a private key is its 32-byte seed (the `d` of its JWK): `SERVICE_PRIVATE_KEY`, only in
 *   that service's environment;
 * - the public keys are `name:x` pairs (`x` of the JWK), comma-separated:
 *   `SERVICE_PUBLIC_KEYS=exercises:…,votes:…`, the same everywhere (they are not secret).
 */
export const SERVICE_KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;

/** Services that sign credentials: the callers some internal endpoint allow-lists. */
export const CREDENTIALED_SERVICES = ['exercises', 'posts', 'votes'] as const;

// An Ed25519 PKCS#8 DER document is this fixed prefix followed by the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function servicePrivateKey(seed: string): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed, 'base64url')]), format: 'der', type: 'pkcs8' });
}

/** The public half of a private key given as its seed, as base64url (`x`). */
export function servicePublicKeyOf(seed: string): string {
  const jwk = createPublicKey(servicePrivateKey(seed)).export({ format: 'jwk' });
  return jwk.x as string;
}

export const newServicePrivateKey = (): string => randomBytes(32).toString('base64url');

/** `name:x,name:x` → keys by service name (several per name while a key is being rotated). */
export function parseServicePublicKeys(text: string): Map<string, KeyObject[]> {
  const keys = new Map<string, KeyObject[]>();
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([a-z][a-z0-9-]{0,31}):([A-Za-z0-9_-]{43})$/.exec(entry);
    if (!match?.[1] || !match[2]) throw new Error(`"${entry.slice(0, 40)}" is not name:<43 base64url characters>`);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: match[2] }, format: 'jwk' });
    keys.set(match[1], [...(keys.get(match[1]) ?? []), key]);
  }
  return keys;
}

export const formatServicePublicKeys = (publicKeys: Record<string, string>): string =>
  Object.entries(publicKeys)
    .map(([name, x]) => `${name}:${x}`)
    .join(',');

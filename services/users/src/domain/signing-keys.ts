import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, readOrCreateSecretFile } from '@codeyard/service-kit';
import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK, type JWTVerifyGetKey } from 'jose';
import type { UsersConfig } from '../config.js';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** What the JWKS publishes: the current key first, then the previous ones still honoured during a rotation. */
  publishedKeys: JWK[];
  /** Verifies access tokens against our own public key, without an HTTP round trip. */
  verificationKeys: JWTVerifyGetKey;
}

/**
 * The Ed25519 key that signs access tokens: from JWT_PRIVATE_KEY (production), otherwise
 * generated once into DATA_DIR so a laptop needs no set-up.
 */
export async function loadSigningKeys(config: UsersConfig): Promise<SigningKeys> {
  let source = config.JWT_PRIVATE_KEY;
  if (!source) {
    if (config.NODE_ENV === 'production') {
      throw new ConfigError(['JWT_PRIVATE_KEY: is required in production (Ed25519 JWK or PKCS#8 PEM)']);
    }
    const generated = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = { ...(await exportJWK(generated.privateKey)), kid: randomUUID(), alg: 'EdDSA' };
    source = readOrCreateSecretFile(resolve(config.DATA_DIR, 'users-signing-key.json'), () => JSON.stringify(jwk));
  }
  let privateJwk: JWK;
  try {
    if (source.trimStart().startsWith('{')) {
      privateJwk = JSON.parse(source) as JWK;
    } else {
      privateJwk = await exportJWK(await importPKCS8(source, 'EdDSA', { extractable: true }));
    }
    if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.d) throw new Error('not an Ed25519 private key');
  } catch (error) {
    throw new ConfigError([`JWT_PRIVATE_KEY: ${error instanceof Error ? error.message : 'cannot be read'}`]);
  }
  const { d: _private, ...publicPart } = privateJwk;
  const kid = privateJwk.kid ?? 'codeyard-users-1';
  const publicJwk: JWK = { kty: publicPart.kty, crv: publicPart.crv, x: publicPart.x, kid, alg: 'EdDSA', use: 'sig' };
  const privateKey = (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
  const publishedKeys = [publicJwk, ...previousPublicKeys(config.JWT_PREVIOUS_PUBLIC_KEYS).filter((key) => key.kid !== kid)];
  return { kid, privateKey, publicJwk, publishedKeys, verificationKeys: createLocalJWKSet({ keys: publishedKeys }) };
}

/**
 * Public keys of the signing keys rotated out: still published (and accepted) until the last
 * access token they signed has expired. JSON: one JWK or an array; a private part is refused.
 */
function previousPublicKeys(source: string | undefined): JWK[] {
  if (!source) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new ConfigError(['JWT_PREVIOUS_PUBLIC_KEYS: must be a JSON JWK or an array of them']);
  }
  const keys = (Array.isArray(parsed) ? parsed : [parsed]) as JWK[];
  return keys.map((key, index) => {
    if (typeof key !== 'object' || key === null || key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.x !== 'string' || typeof key.kid !== 'string') {
      throw new ConfigError([`JWT_PREVIOUS_PUBLIC_KEYS: key ${index} must be an Ed25519 public JWK with a kid`]);
    }
    if ('d' in key) throw new ConfigError([`JWT_PREVIOUS_PUBLIC_KEYS: key ${index} has a private part; publish only the public key`]);
    return { kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, alg: 'EdDSA', use: 'sig' };
  });
}

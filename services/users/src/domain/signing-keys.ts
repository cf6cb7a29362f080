import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, readOrCreateSecretFile } from '@codeyard/service-kit';
import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK, type JWTVerifyGetKey } from 'jose';
import type { UsersConfig } from '../config.js';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
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
  return { kid, privateKey, publicJwk, verificationKeys: createLocalJWKSet({ keys: [publicJwk] }) };
}

import { ACCESS_TOKEN_ISSUER, createServiceCredential, TOKEN_AUDIENCE } from '@codeyard/service-kit';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTVerifyGetKey, SignJWT } from 'jose';
import { TEST_SERVICE_PRIVATE_KEYS } from './env.js';

export interface TestIssuer {
  /** Pass as `accessTokenKeys` to a service under test instead of the users service's JWKS. */
  keys: JWTVerifyGetKey;
  /** An access token as users would issue it. */
  tokenFor(user: { id: number; username: string; admin?: boolean }, options?: { expiresIn?: string }): Promise<string>;
  /** `Authorization` header value for that user. */
  bearer(user: { id: number; username: string; admin?: boolean }): Promise<string>;
}

/** Stands in for the users service's signing key in other services' tests. */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'EdDSA' };
  const tokenFor: TestIssuer['tokenFor'] = (user, options = {}) =>
    new SignJWT({ username: user.username, admin: user.admin ?? false, tv: 0 })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(String(user.id))
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '15m')
      .sign(privateKey);
  return {
    keys: createLocalJWKSet({ keys: [publicJwk] }),
    tokenFor,
    bearer: async (user) => `Bearer ${await tokenFor(user)}`,
  };
}

/**
 * `Authorization` header value for a service credential signed with that service's test key, or
 * with another service's key (`signedBy`) to pose as it.
 */
export async function serviceBearer(serviceName: string, options: { signedBy?: string } = {}): Promise<string> {
  const key = TEST_SERVICE_PRIVATE_KEYS[options.signedBy ?? serviceName];
  if (!key) throw new Error(`no test key for the ${options.signedBy ?? serviceName} service`);
  return `Bearer ${await createServiceCredential(serviceName, key)()}`;
}

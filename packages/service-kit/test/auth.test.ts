import { createServiceCredential, createTokenVerifier } from '@codeyard/service-kit';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-service-secret-of-at-least-32-characters';

describe('service-kit: token verification', async () => {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const verify = createTokenVerifier({
    accessTokenKeys: createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] }),
    serviceSecret: SECRET,
  });
  const now = Math.floor(Date.now() / 1000);
  const accessToken = (claims: { sub?: string; exp?: number }) => {
    const jwt = new SignJWT({ username: 'ada', admin: false, tv: 0 })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer('codeyard-users')
      .setAudience('codeyard')
      .setIssuedAt(now);
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(privateKey);
  };
  const serviceToken = (iat: number, exp: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('codeyard-service')
      .setAudience('codeyard')
      .setSubject('service:votes')
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));

  it('accepts an access token with sub and exp', async () => {
    expect(await verify(`Bearer ${await accessToken({ sub: '7', exp: now + 600 })}`)).toMatchObject({ kind: 'user', id: 7 });
  });

  it('refuses an access token without exp (it would never expire) or without sub', async () => {
    await expect(verify(`Bearer ${await accessToken({ sub: '7' })}`)).rejects.toMatchObject({ statusCode: 401 });
    await expect(verify(`Bearer ${await accessToken({ exp: now + 600 })}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('accepts a fresh service credential and refuses one issued too long ago, whatever its exp', async () => {
    const credential = await createServiceCredential('votes', SECRET)();
    expect(await verify(`Bearer ${credential}`)).toEqual({ kind: 'service', name: 'votes' });
    await expect(verify(`Bearer ${await serviceToken(now - 600, now + 3600)}`)).rejects.toMatchObject({ statusCode: 401 });
  });
});

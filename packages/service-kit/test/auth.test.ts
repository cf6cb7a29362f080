import {
  createServiceCredential,
  createTokenVerifier,
  newServicePrivateKey,
  parseServicePublicKeys,
  servicePrivateKey,
  servicePublicKeyOf,
} from '@codeyard/service-kit';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

describe('service-kit: token verification', async () => {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const votesKey = newServicePrivateKey();
  const exercisesKey = newServicePrivateKey();
  const evalKey = newServicePrivateKey();
  // users' view: it accepts votes only; the others' keys are known to the deployment, not trusted here.
  const verify = createTokenVerifier({
    accessTokenKeys: createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] }),
    serviceKeys: parseServicePublicKeys(`votes:${servicePublicKeyOf(votesKey)}`),
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
  const serviceToken = (options: { name: string; key: string; iat: number; exp: number; alg?: 'EdDSA' | 'HS256' }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: `service:${options.name}` })
      .setIssuer('codeyard-service')
      .setAudience('codeyard')
      .setSubject(`service:${options.name}`)
      .setIssuedAt(options.iat)
      .setExpirationTime(options.exp)
      .sign(options.alg === 'HS256' ? new TextEncoder().encode(options.key.padEnd(32, '-')) : servicePrivateKey(options.key));

  it('accepts an access token with sub and exp', async () => {
    expect(await verify(`Bearer ${await accessToken({ sub: '7', exp: now + 600 })}`)).toMatchObject({ kind: 'user', id: 7 });
  });

  it('refuses an access token without exp (it would never expire) or without sub', async () => {
    await expect(verify(`Bearer ${await accessToken({ sub: '7' })}`)).rejects.toMatchObject({ statusCode: 401 });
    await expect(verify(`Bearer ${await accessToken({ exp: now + 600 })}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('accepts a fresh service credential and refuses one issued too long ago, whatever its exp', async () => {
    const credential = await createServiceCredential('votes', votesKey)();
    expect(await verify(`Bearer ${credential}`)).toEqual({ kind: 'service', name: 'votes' });
    expect(await verify(`Bearer ${credential}`)).toEqual({ kind: 'service', name: 'votes' });
    const old = await serviceToken({ name: 'votes', key: votesKey, iat: now - 600, exp: now + 3600 });
    await expect(verify(`Bearer ${old}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses a credential naming votes signed with another service\'s key, and one with an HMAC', async () => {
    for (const key of [exercisesKey, evalKey]) {
      await expect(verify(`Bearer ${await createServiceCredential('votes', key)()}`)).rejects.toMatchObject({ statusCode: 401 });
    }
    const hmac = await serviceToken({ name: 'votes', key: votesKey, iat: now, exp: now + 60, alg: 'HS256' });
    await expect(verify(`Bearer ${hmac}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses a credential whose sub names another service than its key', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'service:votes' })
      .setIssuer('codeyard-service')
      .setAudience('codeyard')
      .setSubject('service:exercises')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(servicePrivateKey(votesKey));
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses a valid credential of a service it does not trust', async () => {
    const credential = await createServiceCredential('exercises', exercisesKey)();
    await expect(verify(`Bearer ${credential}`)).rejects.toMatchObject({
      statusCode: 401,
      message: 'Credentials of the exercises service are not accepted here',
    });
  });

  it('accepts either key of a service while its key is rotated', async () => {
    const next = newServicePrivateKey();
    const rotating = createTokenVerifier({
      accessTokenKeys: createLocalJWKSet({ keys: [] }),
      serviceKeys: parseServicePublicKeys(`votes:${servicePublicKeyOf(votesKey)},votes:${servicePublicKeyOf(next)}`),
    });
    for (const key of [votesKey, next]) {
      expect(await rotating(`Bearer ${await createServiceCredential('votes', key)()}`)).toEqual({ kind: 'service', name: 'votes' });
    }
    await expect(rotating(`Bearer ${await createServiceCredential('votes', evalKey)()}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  describe('verified tokens kept until they expire', async () => {
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] });
    /** A verifier on a clock the test moves, counting the key look-ups (one per signature check). */
    const verifierWithClock = (cacheSize?: number) => {
      const clock = { ms: now * 1000 };
      let lookups = 0;
      const verifier = createTokenVerifier({
        accessTokenKeys: (header, token) => {
          lookups++;
          return jwks(header, token);
        },
        serviceKeys: parseServicePublicKeys(`votes:${servicePublicKeyOf(votesKey)}`),
        now: () => clock.ms,
        ...(cacheSize !== undefined && { cacheSize }),
      });
      return { verifier, clock, lookups: () => lookups };
    };

    it('checks the signature of an access token once, takes it again until its exp, then refuses it as expired', async () => {
      const { verifier, clock, lookups } = verifierWithClock();
      const header = `Bearer ${await accessToken({ sub: '7', exp: now + 60 })}`;
      expect(await verifier(header)).toMatchObject({ kind: 'user', id: 7, username: 'ada' });
      expect(await verifier(header)).toMatchObject({ kind: 'user', id: 7 });
      expect(lookups()).toBe(1);
      clock.ms = (now + 60) * 1000;
      await expect(verifier(header)).rejects.toMatchObject({ statusCode: 401, message: 'Access token has expired' });
    });

    it('keeps a service credential no longer than its maximum age, whatever its exp', async () => {
      const { verifier, clock } = verifierWithClock();
      const header = `Bearer ${await serviceToken({ name: 'votes', key: votesKey, iat: now - 200, exp: now + 3600 })}`;
      expect(await verifier(header)).toEqual({ kind: 'service', name: 'votes' });
      clock.ms = (now + 101) * 1000;
      await expect(verifier(header)).rejects.toMatchObject({ statusCode: 401 });
    });

    it('keeps no failure, and drops the oldest tokens beyond its size', async () => {
      const { verifier, lookups } = verifierWithClock(2);
      const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = `Bearer ${await new SignJWT({ username: 'ada', admin: true, tv: 0 })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
        .setIssuer('codeyard-users')
        .setAudience('codeyard')
        .setSubject('7')
        .setExpirationTime(now + 600)
        .sign(stranger.privateKey)}`;
      for (let i = 0; i < 2; i++) await expect(verifier(forged)).rejects.toMatchObject({ statusCode: 401, message: 'Invalid access token' });
      expect(lookups()).toBe(2);
      const tokens = await Promise.all(['1', '2', '3'].map(async (sub) => `Bearer ${await accessToken({ sub, exp: now + 600 })}`));
      for (const header of tokens) await verifier(header);
      expect(lookups()).toBe(5);
      await verifier(tokens[2] as string);
      await verifier(tokens[1] as string);
      expect(lookups()).toBe(5);
      expect(await verifier(tokens[0] as string)).toMatchObject({ id: 1 });
      expect(lookups()).toBe(6);
    });
  });
});

import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { KeyObject } from 'node:crypto';
import { AppError, forbidden, serviceUnavailable, unauthorized } from './errors.js';
import { servicePrivateKey } from './service-keys.js';

export const ACCESS_TOKEN_ISSUER = 'codeyard-users';
export const TOKEN_AUDIENCE = 'codeyard';
export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';
const SERVICE_TOKEN_ISSUER = 'codeyard-service';
/** A service credential is refused this long after it was issued, whatever its `exp` says. */
export const SERVICE_TOKEN_MAX_AGE_SECONDS = 300;

export interface UserActor {
  kind: 'user';
  id: number;
  username: string;
  admin: boolean;
  /** Token version at issue time; users bumps it to revoke every outstanding token. */
  tokenVersion: number;
  /** The login (session) the token belongs to, when users issued it for one. */
  sessionId?: string;
}

export interface ServiceActor {
  kind: 'service';
  name: string;
}

export type Actor = UserActor | ServiceActor;

/** Claims users puts in an access token beyond the registered ones. */
export interface AccessTokenClaims extends JWTPayload {
  username: string;
  admin: boolean;
  tv: number;
  sid?: string;
}

export interface TokenVerifierOptions {
  /** Key source for access tokens: a JWKS URL (other services) or a local key getter (users). */
  accessTokenKeys: JWTVerifyGetKey;
  /** Public keys of the services whose credentials are accepted, by name; any other service's is refused. */
  serviceKeys?: ReadonlyMap<string, readonly KeyObject[]>;
  /** How many verified tokens to keep (default 10 000). */
  cacheSize?: number;
  /** The clock for the kept tokens' expiry (tests). */
  now?: () => number;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<Actor | null>;

/** Caches the users service's public keys; refetches on an unknown `kid` (key rotation). */
export function remoteJwks(usersUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL('/.well-known/jwks.json', usersUrl), {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: 30_000,
    timeoutDuration: 3_000,
  });
}

/** A service credential names its signer in the header (`kid: service:<name>`) and again in `sub`. */
const SERVICE_KID_PREFIX = 'service:';

/**
 * Verifies `Authorization: Bearer …`: an access token (EdDSA, from users' JWKS) or a service
 * credential (EdDSA, signed with that service's own key). The algorithm is pinned and the key is
 * chosen by kind, so `alg: none`, HMAC tokens and foreign keys are all rejected; a service
 * credential is checked with the key of the service its `kid` names and its `sub` must name the
 * same service, so votes' key cannot speak for exercises. A token that verified is remembered
 * until it expires (`VerifiedTokens`).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const serviceKeys = options.serviceKeys ?? new Map<string, readonly KeyObject[]>();
  const now = options.now ?? (() => Date.now());
  const verified = new VerifiedTokens(options.cacheSize ?? VERIFIED_TOKENS_KEPT, now);

  async function verifyServiceCredential(token: string, name: string): Promise<{ actor: Actor; validUntilMs: number }> {
    const keys = serviceKeys.get(name);
    if (!keys) throw unauthorized(`Credentials of the ${name} service are not accepted here`);
    for (const [index, key] of keys.entries()) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ACCESS_TOKEN_ALGORITHM],
          issuer: SERVICE_TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          subject: `service:${name}`,
          requiredClaims: ['exp', 'iat', 'sub'],
          maxTokenAge: SERVICE_TOKEN_MAX_AGE_SECONDS,
          currentDate: new Date(now()),
        });
        // Valid until its exp or until it is too old, whichever comes first.
        const validUntilMs = Math.min(Number(payload.exp), Number(payload.iat) + SERVICE_TOKEN_MAX_AGE_SECONDS) * 1000;
        return { actor: { kind: 'service', name }, validUntilMs };
      } catch (error) {
        // During a key rotation the name has two keys: a bad signature may be the other one's.
        if (!(error instanceof joseErrors.JWSSignatureVerificationFailed) || index === keys.length - 1) throw error;
      }
    }
    throw unauthorized('Invalid service credential');
  }

  const verify = async (authorization: string): Promise<{ actor: Actor; validUntilMs: number }> => {
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization);
    if (!match?.[1]) throw unauthorized('Authorization header must be "Bearer <token>"');
    const token = match[1];
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw unauthorized('Malformed access token');
    }
    try {
      if (kid?.startsWith(SERVICE_KID_PREFIX)) return await verifyServiceCredential(token, kid.slice(SERVICE_KID_PREFIX.length));
      const { payload } = await jwtVerify<AccessTokenClaims>(token, options.accessTokenKeys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        // A token without an expiry or a subject would be valid forever or for nobody.
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      });
      const id = Number(payload.sub);
      if (!Number.isSafeInteger(id) || id < 1 || typeof payload.username !== 'string') {
        throw unauthorized('Malformed access token');
      }
      const actor: UserActor = {
        kind: 'user',
        id,
        username: payload.username,
        admin: payload.admin === true,
        tokenVersion: typeof payload.tv === 'number' ? payload.tv : 0,
        ...(typeof payload.sid === 'string' && { sessionId: payload.sid }),
      };
      return { actor, validUntilMs: Number(payload.exp) * 1000 };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('Access token has expired');
      if (error instanceof joseErrors.JWKSTimeout || isNetworkError(error)) {
        throw serviceUnavailable('Cannot verify the token right now: the users service is unreachable');
      }
      throw unauthorized('Invalid access token');
    }
  };
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return null;
    const known = verified.get(authorization);
    if (known) return known;
    const { actor, validUntilMs } = await verify(authorization);
    verified.set(authorization, actor, validUntilMs);
    return actor;
  };
}

/** Tokens whose signature and claims were checked, kept by `createTokenVerifier`. */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Checking an EdDSA signature costs a few hundred µs of CPU, more than the rest of a small read;
 * a client sends the same token with every request until it expires. A token verified once is
 * taken again without the check until its own expiry (for a service credential: until it is too
 * old), oldest entries dropped first. Only successes are kept; a revoked session or token
 * version is still refused by the check that follows (users' `afterAuthenticate`).
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { actor: Actor; validUntilMs: number }>();

  constructor(
    private readonly size: number,
    private readonly now: () => number,
  ) {}

  get(authorization: string): Actor | undefined {
    const entry = this.#entries.get(authorization);
    if (!entry) return undefined;
    if (this.now() < entry.validUntilMs) return entry.actor;
    this.#entries.delete(authorization);
    return undefined;
  }

  set(authorization: string, actor: Actor, validUntilMs: number): void {
    if (!(validUntilMs > this.now())) return;
    this.#entries.set(authorization, { actor: Object.freeze(actor), validUntilMs });
    if (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/** Signs short-lived service credentials for calls between services, with this service's own key (its seed). */
export function createServiceCredential(serviceName: string, privateKey: string) {
  const key = servicePrivateKey(privateKey);
  let cached: { token: string; expiresAt: number } | undefined;
  return async (): Promise<string> => {
    const now = Date.now();
    if (cached && cached.expiresAt - now > 30_000) return cached.token;
    const expiresAt = now + 120_000;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: 'JWT', kid: `${SERVICE_KID_PREFIX}${serviceName}` })
      .setIssuer(SERVICE_TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(`service:${serviceName}`)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(key);
    cached = { token, expiresAt };
    return token;
  };
}

// Access checks: one readable line at the top of a domain function.

export function requireUser(actor: Actor | null): UserActor {
  if (!actor) throw unauthorized();
  if (actor.kind !== 'user') throw forbidden('This action needs a user account');
  return actor;
}

export function requireAdmin(actor: Actor | null): UserActor {
  const user = requireUser(actor);
  if (!user.admin) throw forbidden('Only administrators can do this');
  return user;
}

/** An admin, or one of the services allowed to call this internal endpoint (karma: votes; score writes: exercises). */
export function requireServiceOrAdmin(actor: Actor | null, allowedServices: readonly string[]): Actor {
  if (!actor) throw unauthorized();
  if (actor.kind === 'service') {
    if (!allowedServices.includes(actor.name)) throw forbidden(`The ${actor.name} service may not do this`);
    return actor;
  }
  if (!actor.admin) throw forbidden('Only administrators or internal services can do this');
  return actor;
}

export function requireSelfOrAdmin(actor: Actor | null, userId: number): UserActor {
  const user = requireUser(actor);
  if (!user.admin && user.id !== userId) throw forbidden('You can only do this to your own account');
  return user;
}

export function isAdmin(actor: Actor | null): boolean {
  return actor?.kind === 'user' && actor.admin;
}

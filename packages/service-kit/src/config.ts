import { isIP } from 'node:net';
import { z } from 'zod';
import { parseServicePublicKeys, SERVICE_KEY_TEXT } from './service-keys.js';

/** Env keys every service shares. Each service adds its own with `extendConfig`. */
export const commonConfigSchema = z.object({
  /** `production` requires real keys (SERVICE_PRIVATE_KEY where a service signs, users' JWT_PRIVATE_KEY) instead of generating them. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Address to listen on: 127.0.0.1 on a laptop or VM, 0.0.0.0 in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Lowest level of the JSON log lines written to stdout. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where SQLite files and generated development secrets go. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** postgres://… for PostgreSQL; a file path (or sqlite:path) for SQLite; default ./data/<service>.db */
  DATABASE_URL: z.string().min(1).optional(),
  /** PostgreSQL schema for this service's tables (lets several services share one database). */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .optional(),
  /** Where the users service publishes its JWKS (access-token public keys). */
  USERS_URL: z.url().default('http://127.0.0.1:8081'),
  /**
   * This service's own Ed25519 key for the credentials it sends to internal endpoints: the
   * 32-byte seed in base64url. Only exercises, posts and votes hold one (required in production);
   * never give it to another service.
   */
  SERVICE_PRIVATE_KEY: z.string().regex(SERVICE_KEY_TEXT, 'must be an Ed25519 seed: 43 base64url characters').optional(),
  /**
   * Public keys of the services that sign credentials, `name:key` comma-separated (e.g.
   * `exercises:…,posts:…,votes:…`); not secret, the same everywhere. A service accepts credentials only
   * from the callers its internal endpoints allow-list, and only with these keys.
   */
  SERVICE_PUBLIC_KEYS: z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined || text.trim() === '') return undefined;
      try {
        return parseServicePublicKeys(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `must be name:key pairs separated by commas: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  /**
   * How often a service polls users for revoked tokens (logout, password change, deactivation),
   * so they stop working here within about this long (decision 002). 0 = off: a revoked token
   * then works until it expires (ACCESS_TOKEN_TTL_SECONDS). users itself checks its database.
   */
  REVOCATION_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** Largest request body accepted; larger ones answer 413. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  /**
   * Which proxies in front of this process may set X-Forwarded-For: `false` (none), a hop count
   * (`1`: the one load balancer in front), or a comma-separated list of proxy addresses/CIDRs.
   * `true` is refused: it would trust any client's X-Forwarded-For (a new rate-limit bucket per
   * request).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, context): TrustProxy => {
      const text = value.trim();
      if (text === '' || text === 'false' || text === '0') return false;
      if (/^\d{1,2}$/.test(text)) return Number(text);
      const entries = text.split(',').map((entry) => entry.trim());
      if (text !== 'true' && entries.every(isAddressOrCidr)) return entries;
      context.addIssue({
        code: 'custom',
        message: 'must be false, a hop count (e.g. 1) or a comma-separated list of proxy addresses/CIDRs; "true" would trust any client',
      });
      return z.NEVER;
    }),
});

/** Fastify's `trustProxy`: no proxy, the number of proxies in front, or their addresses. */
export type TrustProxy = false | number | string[];

function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d{1,3}$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}

export type CommonConfig = z.infer<typeof commonConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment once. A wrong value throws a ConfigError naming the
 * variable; `server.ts` prints it and exits, so a misconfigured process never starts serving.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** A service's config schema: the common keys plus its own (PORT with its default, …). */
export function extendConfig<T extends z.ZodRawShape>(shape: T) {
  return commonConfigSchema.extend(shape);
}

export const portSchema = (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort);

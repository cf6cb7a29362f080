import { extendConfig, portSchema, processedEventsConfigShape } from '@codeyard/service-kit';
import { z } from 'zod';

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const configSchema = extendConfig({
  PORT: portSchema(8081),
  /** Keys of applied karma events (votes' outbox) are kept this long. */
  ...processedEventsConfigShape,
  /** Ed25519 private key as a JWK (JSON) or PKCS#8 PEM. Generated into DATA_DIR when unset (not in production). */
  JWT_PRIVATE_KEY: optionalNonEmpty,
  /** During a key rotation: the old key's public JWK (or a JSON array), published until its tokens expire. */
  JWT_PREVIOUS_PUBLIC_KEYS: optionalNonEmpty,
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(365 * 86_400).default(30 * 86_400),
  /**
   * A refresh token presented again this soon after it was spent gets a fresh pair in the same
   * login instead of revoking it: two tabs, or a reload during a refresh (decision 006). 0 = off.
   */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
  /** Mark the browser refresh cookie `Secure` (browsers accept it on http://localhost too). */
  REFRESH_COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Failed sign-ins per account (or unknown name) within the window before it gets 429 until the window ends. */
  LOGIN_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  /** argon2id cost; the defaults follow OWASP's recommendation (19 MiB, 2 passes). */
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).max(1_048_576).default(19_456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).max(10).default(2),
  /** Bootstrap admin created at start when both are set and the email is not registered yet. */
  ADMIN_EMAIL: optionalNonEmpty,
  ADMIN_PASSWORD: optionalNonEmpty,
  ADMIN_USERNAME: z.string().regex(/^[A-Za-z0-9_-]{3,32}$/).default('admin'),
});

export type UsersConfig = z.infer<typeof configSchema>;

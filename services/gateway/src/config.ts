import { extendConfig, portSchema } from '@codeyard/service-kit';
import { z } from 'zod';

const serviceUrl = (port: number) => z.url().default(`http://127.0.0.1:${port}`);
const perMinute = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

export const configSchema = extendConfig({
  PORT: portSchema(8080),
  EXERCISES_URL: serviceUrl(8082),
  EVAL_URL: serviceUrl(8083),
  SCORES_URL: serviceUrl(8084),
  POSTS_URL: serviceUrl(8085),
  VOTES_URL: serviceUrl(8086),
  MESSAGES_URL: serviceUrl(8087),
  /** Built web client; the placeholder page in services/gateway/public when unset or missing. */
  WEB_DIR: z.string().optional(),
  /** Comma-separated origins allowed by CORS besides the gateway's own; empty = same origin only. */
  CORS_ORIGINS: z.string().default('http://localhost:5173'),
  /** Requests per minute per client IP, by action. */
  RATE_LIMIT_DEFAULT: perMinute(1200),
  RATE_LIMIT_LOGIN: perMinute(20),
  RATE_LIMIT_REGISTER: perMinute(10),
  RATE_LIMIT_EVAL: perMinute(60),
  /** Redis for rate-limit counters shared by every gateway replica; in memory per process when unset. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Upstream timeout; a hung service answers 504 instead of holding the client forever. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(30_000),
});

export type GatewayConfig = z.infer<typeof configSchema>;

/** Which service answers which public path prefix (`/api/v1/<prefix>/…`). */
export function upstreams(config: GatewayConfig & { USERS_URL: string }) {
  return [
    { service: 'users', url: config.USERS_URL, prefixes: ['auth', 'users', '.well-known'] },
    { service: 'exercises', url: config.EXERCISES_URL, prefixes: ['exercises', 'submissions'] },
    { service: 'eval', url: config.EVAL_URL, prefixes: ['eval'] },
    { service: 'scores', url: config.SCORES_URL, prefixes: ['scores'] },
    { service: 'posts', url: config.POSTS_URL, prefixes: ['posts', 'communities'] },
    { service: 'votes', url: config.VOTES_URL, prefixes: ['votes'] },
    { service: 'messages', url: config.MESSAGES_URL, prefixes: ['messages'] },
  ];
}

export type Upstream = ReturnType<typeof upstreams>[number];

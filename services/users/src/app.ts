import {
  buildService,
  type ProcessedEventsPruner,
  processedKeys,
  type ServiceApp,
  startProcessedEventsPruning,
} from '@codeyard/service-kit';
import { z } from 'zod';
import type { UsersConfig } from './config.js';
import { createLoginFailuresRepo } from './db/login-failures-repo.js';
import { createRevocationsRepo } from './db/revocations-repo.js';
import { migrations } from './db/migrations/index.js';
import type { UsersDatabase } from './db/schema.js';
import { createSessionsRepo } from './db/sessions-repo.js';
import { createUsersRepo } from './db/users-repo.js';
import { type Accounts, createAccounts } from './domain/accounts.js';
import { createKarma, KARMA_WRITERS } from './domain/karma.js';
import { createLoginThrottle } from './domain/login-throttle.js';
import { createPasswordHasher } from './domain/passwords.js';
import { loadSigningKeys } from './domain/signing-keys.js';
import { createTokenService } from './domain/tokens.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerUserRoutes } from './routes/users.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface UsersApp {
  app: ServiceApp;
  accounts: Accounts;
  /** Removes keys of old applied karma events (hourly). */
  processedEvents: ProcessedEventsPruner;
}

export async function buildApp(config: UsersConfig): Promise<UsersApp> {
  const keys = await loadSigningKeys(config);
  let accounts: Accounts | undefined;
  const { app, database } = await buildService<UsersDatabase>({
    name: 'users',
    description: 'Accounts, authentication (JWT access tokens, rotating refresh tokens) and karma.',
    config,
    migrations,
    accessTokenKeys: keys.verificationKeys,
    trustedServices: KARMA_WRITERS,
    afterAuthenticate: async (actor) => accounts?.assertTokenStillValid(actor),
    processMetrics: config.NODE_ENV !== 'test',
  });
  if (!database) throw new Error('users needs a database');
  const db = database.db;
  const users = createUsersRepo(db);
  const sessions = createSessionsRepo(db);
  const passwords = await createPasswordHasher(config);
  const revocations = createRevocationsRepo(db);
  const tokens = createTokenService({ db, config, keys, users, sessions, revocations });
  const loginThrottle = createLoginThrottle({
    failures: createLoginFailuresRepo(db),
    limit: config.LOGIN_FAILURE_LIMIT,
    windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
  });
  accounts = createAccounts({ users, sessions, passwords, tokens, loginThrottle });
  const karma = createKarma({ db, users, karmaEvents: processedKeys(db, 'karma') });
  const processedEvents = startProcessedEventsPruning({
    db,
    retentionHours: config.PROCESSED_EVENTS_RETENTION_HOURS,
    logger: app.log,
  });
  app.addHook('preClose', () => processedEvents.stop());

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify access tokens',
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: keys.publishedKeys };
    },
  );
  // Internal (the gateway routes no /revocations): what every other service polls to refuse
  // revoked tokens before they expire (service-kit's revocation list, decision 002).
  app.get(
    '/revocations',
    {
      schema: {
        hide: true,
        querystring: z.object({ since: z.string().regex(ISO_TIMESTAMP, 'must be an ISO 8601 UTC timestamp with milliseconds').optional() }),
      },
    },
    async (request) => tokens.revocationFeed(request.query.since),
  );
  registerAuthRoutes(app, accounts, { secure: config.REFRESH_COOKIE_SECURE, maxAgeSeconds: config.REFRESH_TOKEN_TTL_SECONDS });
  registerUserRoutes(app, accounts, karma);

  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const admin = await accounts.ensureAdmin({ username: config.ADMIN_USERNAME, email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
    if (admin) app.log.info({ userId: admin.id }, 'bootstrap admin created');
  }
  return { app, accounts, processedEvents };
}

import {
  buildService,
  createServiceClient,
  type ProcessedEventsPruner,
  type ServiceApp,
  processedKeys,
  startProcessedEventsPruning,
} from '@codeyard/service-kit';
import type { JWTVerifyGetKey } from 'jose';
import type { ScoresConfig } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { ScoresDatabase } from './db/schema.js';
import { createScoresRepo } from './db/scores-repo.js';
import { createScores, SCORE_WRITERS, type Scores } from './domain/scores.js';
import { createUsernameDirectory, type UsernameDirectory } from './domain/usernames.js';
import { registerScoreRoutes } from './routes/scores.js';

export interface ScoresApp {
  app: ServiceApp;
  scores: Scores;
  /** Removes keys of old applied score events (hourly). */
  processedEvents: ProcessedEventsPruner;
}

export interface ScoresOverrides {
  /** Access-token keys (tests pass a test issuer's); default: the users service's JWKS. */
  accessTokenKeys?: JWTVerifyGetKey;
  /** Where leaderboard usernames come from; default: the users service. */
  usernames?: UsernameDirectory;
}

export async function buildApp(config: ScoresConfig, overrides: ScoresOverrides = {}): Promise<ScoresApp> {
  const { app, database } = await buildService<ScoresDatabase>({
    name: 'scores',
    description: 'One score per (user, exercise): attempts, solved or not, when; and the leaderboard.',
    config,
    migrations,
    trustedServices: SCORE_WRITERS,
    ...(overrides.accessTokenKeys && { accessTokenKeys: overrides.accessTokenKeys }),
    processMetrics: config.NODE_ENV !== 'test',
  });
  if (!database) throw new Error('scores needs a database');
  const db = database.db;
  const usernames =
    overrides.usernames ??
    createUsernameDirectory({
      // Usernames are public: scores holds no credential.
      users: createServiceClient({ baseUrl: config.USERS_URL, target: 'users' }),
      cacheMs: config.USERNAME_CACHE_SECONDS * 1000,
      timeoutMs: config.USERS_LOOKUP_TIMEOUT_MS,
    });
  const scores = createScores({ db, scores: createScoresRepo(db), scoreEvents: processedKeys(db, 'score'), usernames });
  registerScoreRoutes(app, scores);
  const processedEvents = startProcessedEventsPruning({
    db,
    retentionHours: config.PROCESSED_EVENTS_RETENTION_HOURS,
    logger: app.log,
  });
  app.addHook('preClose', () => processedEvents.stop());
  return { app, scores, processedEvents };
}

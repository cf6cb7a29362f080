import {
  buildService,
  createServiceClient,
  type OutboxRelay,
  ownServiceCredential,
  type ServiceApp,
  type ServiceClient,
  startServiceOutboxRelay,
} from '@codeyard/service-kit';
import type { JWTVerifyGetKey } from 'jose';
import type { Kysely } from 'kysely';
import type { ExercisesConfig } from './config.js';
import { createExercisesRepo } from './db/exercises-repo.js';
import { migrations } from './db/migrations/index.js';
import type { ExercisesDatabase } from './db/schema.js';
import { createSubmissionsRepo } from './db/submissions-repo.js';
import { createExercises, type Exercises } from './domain/exercises.js';
import { createEvalGrader } from './domain/grader.js';
import { createSubmissions, type Submissions } from './domain/submissions.js';
import { registerExerciseRoutes } from './routes/exercises.js';
import { registerSubmissionRoutes } from './routes/submissions.js';

export interface ExercisesApp {
  app: ServiceApp;
  db: Kysely<ExercisesDatabase>;
  exercises: Exercises;
  submissions: Submissions;
  /** The outbox relay delivering score updates; undefined when OUTBOX_RELAY=false. */
  outbox: OutboxRelay | undefined;
}

export interface ExercisesOverrides {
  /** Access-token keys (tests pass a test issuer's); default: the users service's JWKS. */
  accessTokenKeys?: JWTVerifyGetKey;
  /** How to reach the eval sandbox; default: HTTP to EVAL_URL. */
  eval?: ServiceClient;
  /** How to reach the scores service; default: HTTP to SCORES_URL. */
  scores?: ServiceClient;
}

export async function buildApp(config: ExercisesConfig, overrides: ExercisesOverrides = {}): Promise<ExercisesApp> {
  const { app, database } = await buildService<ExercisesDatabase>({
    name: 'exercises',
    description: 'Programming exercises (statement, examples, hidden tests, reference solution) and graded submissions.',
    config,
    migrations,
    ...(overrides.accessTokenKeys && { accessTokenKeys: overrides.accessTokenKeys }),
    processMetrics: config.NODE_ENV !== 'test',
  });
  if (!database) throw new Error('exercises needs a database');
  const db = database.db;
  const credential = ownServiceCredential(config, 'exercises');
  const evalClient = overrides.eval ?? createServiceClient({ baseUrl: config.EVAL_URL, target: 'eval', ...(credential && { credential }) });
  const scoresClient = overrides.scores ?? createServiceClient({ baseUrl: config.SCORES_URL, target: 'scores', ...(credential && { credential }) });

  const outbox = startServiceOutboxRelay(app, db, config, { scores: scoresClient });

  const grader = createEvalGrader({ eval: evalClient, timeoutMs: config.EVAL_TIMEOUT_MS, logger: app.log });
  const exercises = createExercises({ exercises: createExercisesRepo(db), grader });
  const submissions = createSubmissions({
    db,
    submissions: createSubmissionsRepo(db),
    exercises,
    grader,
    ...(outbox && { onSubmitted: () => outbox.wake() }),
  });
  registerExerciseRoutes(app, exercises);
  registerSubmissionRoutes(app, submissions);
  return { app, db, exercises, submissions, outbox };
}

import { createServer } from 'node:net';
import { loadConfig, type ServiceClient } from '@codeyard/service-kit';
import { createTestIssuer, type DatabaseTargetName, freshDatabase, TEST_SERVICE_PRIVATE_KEYS, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { buildApp, type ExercisesApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

export interface ExercisesHarness extends ExercisesApp {
  issuer: TestIssuer;
  admin: { authorization: string };
  /** `Authorization` for a user with this id (not an admin). */
  userAuth(id: number): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * An exercises service on a fresh database. By default the outbox relay is off and scores points
 * at a port where nothing listens; tests about delivery turn the relay on.
 */
export async function startExercises(
  target: DatabaseTargetName,
  options: { eval?: ServiceClient; scores?: ServiceClient; env?: Record<string, string>; issuer?: TestIssuer } = {},
): Promise<ExercisesHarness> {
  const database = await freshDatabase(target);
  const issuer = options.issuer ?? (await createTestIssuer());
  const config = loadConfig(
    configSchema,
    testEnv({
      ...database.env,
      EVAL_URL: 'http://127.0.0.1:9',
      SCORES_URL: 'http://127.0.0.1:9',
      OUTBOX_RELAY: 'false',
      SERVICE_PRIVATE_KEY: TEST_SERVICE_PRIVATE_KEYS.exercises as string,
      ...options.env,
    }),
  );
  const built = await buildApp(config, {
    accessTokenKeys: issuer.keys,
    ...(options.eval && { eval: options.eval }),
    ...(options.scores && { scores: options.scores }),
  });
  await built.app.ready();
  return {
    ...built,
    issuer,
    admin: { authorization: await issuer.bearer({ id: 1, username: 'root', admin: true }) },
    userAuth: async (id) => ({ authorization: await issuer.bearer({ id, username: `user${id}` }) }),
    close: async () => {
      await built.app.close();
      await database.cleanup();
    },
  };
}

let counter = 0;
/** A unique id for users and titles, so tests sharing one app never see each other's rows. */
export function uniqueId(): number {
  counter += 1;
  return 1000 + counter;
}

/** A small JavaScript exercise whose reference solution passes its tests. */
export function jsExercise(overrides: Record<string, unknown> = {}) {
  return {
    title: `Add two numbers ${uniqueId()}-${Math.random().toString(36).slice(2, 8)}`,
    body: 'Write `add(a, b)` that returns the sum of two numbers.',
    language: 'javascript',
    entrypoint: 'add',
    starter_code: 'function add(a, b) {\n  // your code\n}\n',
    examples: [
      { args: [1, 2], expected: 3 },
      { args: [-1, 1], expected: 0 },
    ],
    tests: [
      { args: [10, 32], expected: 42 },
      { args: [0.5, 0.25], expected: 0.75 },
      { args: [-7, -8], expected: -15 },
    ],
    solution: 'function add(a, b) {\n  return a + b;\n}\n',
    ...overrides,
  };
}

export const RIGHT_ANSWER = 'function add(a, b) { return a + b; }';
/** Passes only test 1 (`add(1, 2)`); subtracts everywhere else. */
export const WRONG_ANSWER = 'function add(a, b) { return a === 1 ? a + b : a - b; }';

/** A port nothing listens on right now (free when checked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

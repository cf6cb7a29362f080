import { loadConfig } from '@codeyard/service-kit';
import { createTestIssuer, type DatabaseTargetName, freshDatabase, serviceBearer, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { buildApp, type ScoresOverrides } from '../src/app.js';
import { configSchema } from '../src/config.js';

export interface ScoresHarness {
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  issuer: TestIssuer;
  /** `Authorization` for the exercises service (a service credential). */
  exercisesService: { authorization: string };
  admin: { authorization: string };
  /** `Authorization` for a user with this id. */
  userAuth(id: number): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export async function startScores(
  target: DatabaseTargetName,
  overrides: Omit<ScoresOverrides, 'accessTokenKeys'> = {},
  extraEnv: Record<string, string> = {},
): Promise<ScoresHarness> {
  const database = await freshDatabase(target);
  const issuer = await createTestIssuer();
  // Nothing listens on port 9: without an override, username lookups fail fast like a users outage.
  const config = loadConfig(configSchema, testEnv({ ...database.env, USERS_URL: 'http://127.0.0.1:9', ...extraEnv }));
  const { app } = await buildApp(config, { accessTokenKeys: issuer.keys, ...overrides });
  await app.ready();
  return {
    app,
    issuer,
    exercisesService: { authorization: await serviceBearer('exercises') },
    admin: { authorization: await issuer.bearer({ id: 1, username: 'root', admin: true }) },
    userAuth: async (id) => ({ authorization: await issuer.bearer({ id, username: `user${id}` }) }),
    close: async () => {
      await app.close();
      await database.cleanup();
    },
  };
}

let nextId = 1000;
/** A user or exercise id no other test uses, so tests sharing one app never see each other's rows. */
export const uniqueId = () => {
  nextId += 1;
  return nextId;
};

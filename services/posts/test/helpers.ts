import { loadConfig } from '@codeyard/service-kit';
import { createTestIssuer, type DatabaseTargetName, freshDatabase, TEST_SERVICE_PRIVATE_KEYS, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

export interface PostsHarness {
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  database: Awaited<ReturnType<typeof buildApp>>['database'];
  issuer: TestIssuer;
  close(): Promise<void>;
}

/**
 * A posts service on a fresh database, trusting tokens from a test issuer. Its relay is off (votes
 * is not running): deletion events stay in its outbox for the tests to look at.
 */
export async function startPosts(target: DatabaseTargetName, extraEnv: Record<string, string> = {}): Promise<PostsHarness> {
  const fresh = await freshDatabase(target);
  const issuer = await createTestIssuer();
  const config = loadConfig(configSchema, testEnv({
      OUTBOX_RELAY: 'false',
      VOTES_URL: 'http://127.0.0.1:1',
      SERVICE_PRIVATE_KEY: TEST_SERVICE_PRIVATE_KEYS.posts as string,
      ...fresh.env,
      ...extraEnv,
    }));
  const { app, database } = await buildApp(config, { accessTokenKeys: issuer.keys });
  await app.ready();
  return {
    app,
    database,
    issuer,
    close: async () => {
      await app.close();
      await fresh.cleanup();
    },
  };
}

let nextId = 1;
/** A user as a token describes them: unique id and username. */
export function someUser(overrides: { admin?: boolean } = {}) {
  nextId += 1;
  return { id: 10_000 + nextId, username: `user_${process.pid}_${nextId}`, admin: overrides.admin ?? false };
}

let nextCommunity = 0;
/** A community name nobody used yet in this process. */
export function freshCommunity(stem = 'c') {
  nextCommunity += 1;
  return `${stem}_${process.pid}_${nextCommunity}`.slice(0, 32);
}

export function postBody(overrides: Record<string, unknown> = {}) {
  return { title: 'How do closures capture variables?', text: 'In JavaScript, a closure …', community: 'javascript', ...overrides };
}

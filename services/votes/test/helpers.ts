import { type AddressInfo, createServer } from 'node:net';
import { loadConfig, type ServiceApp } from '@codeyard/service-kit';
import { createTestIssuer, type DatabaseTargetName, freshDatabase, TEST_SERVICE_PRIVATE_KEYS, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { buildApp as buildPostsApp } from '../../posts/src/app.js';
import { configSchema as postsConfigSchema } from '../../posts/src/config.js';
import { buildApp as buildUsersApp } from '../../users/src/app.js';
import { configSchema as usersConfigSchema } from '../../users/src/config.js';
import { buildApp, type VotesApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

/** A port nothing listens on: a service that is down. */
export const DOWN_URL = 'http://127.0.0.1:1';

/** A port that was free a moment ago, for a service another one must know the address of before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

async function listen(app: ServiceApp, port = 0): Promise<number> {
  await app.listen({ port, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

export interface PostsServer {
  url: string;
  /** Creates a post as `author` and returns its id. */
  createPost(author: { id: number; username: string }, community?: string): Promise<number>;
  /** Deletes a post as `author` (its event for votes goes through posts' outbox). */
  deletePost(author: { id: number; username: string }, postId: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real posts service on a port, trusting the test issuer's tokens; can be stopped and
 * restarted. Its relay (deletion events for votes) runs only when `votesUrl` is given.
 */
export async function startPostsServer(
  target: DatabaseTargetName,
  issuer: TestIssuer,
  options: { votesUrl?: string } = {},
): Promise<PostsServer> {
  const fresh = await freshDatabase(target);
  const relay: Record<string, string> = options.votesUrl
    ? { OUTBOX_RELAY: 'true', OUTBOX_POLL_MS: '100', OUTBOX_MAX_BACKOFF_MS: '200', VOTES_URL: options.votesUrl }
    : { OUTBOX_RELAY: 'false', VOTES_URL: DOWN_URL };
  const config = loadConfig(postsConfigSchema, testEnv({ ...fresh.env, ...relay, SERVICE_PRIVATE_KEY: TEST_SERVICE_PRIVATE_KEYS.posts as string }));
  let app: ServiceApp | undefined = (await buildPostsApp(config, { accessTokenKeys: issuer.keys })).app;
  const port = await listen(app);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async createPost(author, community = 'testing') {
      const response = await fetch(`${url}/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await issuer.bearer(author) },
        body: JSON.stringify({ title: 'A post to vote on', text: 'Body', community }),
      });
      if (response.status !== 201) throw new Error(`create post failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: number }).id;
    },
    async deletePost(author, postId) {
      const response = await fetch(`${url}/posts/${postId}`, { method: 'DELETE', headers: { authorization: await issuer.bearer(author) } });
      if (response.status !== 200) throw new Error(`delete post failed: ${response.status} ${await response.text()}`);
    },
    async stop() {
      await app?.close();
      app = undefined;
    },
    async start() {
      app = (await buildPostsApp(config, { accessTokenKeys: issuer.keys })).app;
      await listen(app, port);
    },
    async close() {
      await app?.close();
      await fresh.cleanup();
    },
  };
}

export interface UsersServer {
  url: string;
  /** Registers a user in users and returns it (id and username). */
  createUser(): Promise<{ id: number; username: string }>;
  karmaOf(userId: number): Promise<number>;
  /** Stops the process (its database stays), as when users is down. */
  stop(): Promise<void>;
  /** Starts it again on the same port and database. */
  start(): Promise<void>;
  close(): Promise<void>;
}

let userCounter = 0;

/** The real users service on a port: the receiver of karma events. */
export async function startUsersServer(target: DatabaseTargetName): Promise<UsersServer> {
  const fresh = await freshDatabase(target);
  const config = loadConfig(usersConfigSchema, testEnv(fresh.env));
  let app: ServiceApp | undefined = (await buildUsersApp(config)).app;
  const port = await listen(app);
  const running = () => {
    if (!app) throw new Error('users is stopped');
    return app;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    async createUser() {
      userCounter += 1;
      const username = `voter_${process.pid}_${userCounter}`;
      const response = await running().inject({
        method: 'POST',
        url: '/auth/register',
        payload: { username, email: `${username}@example.test`, password: 'a-password-123' },
      });
      if (response.statusCode !== 201) throw new Error(`register failed: ${response.body}`);
      return { id: response.json().id as number, username };
    },
    async karmaOf(userId) {
      const response = await running().inject({ method: 'GET', url: `/users/${userId}` });
      return response.json().karma as number;
    },
    async stop() {
      await app?.close();
      app = undefined;
    },
    async start() {
      app = (await buildUsersApp(config)).app;
      await listen(app, port);
    },
    async close() {
      await app?.close();
      await fresh.cleanup();
    },
  };
}

export interface VotesHarness extends VotesApp {
  issuer: TestIssuer;
  close(): Promise<void>;
}

/**
 * The votes service under test. Its relay is off unless `OUTBOX_RELAY=true` is passed, so tests
 * deliver with their own relays (`deliverDue`) and can look at pending events first.
 */
export async function startVotes(
  target: DatabaseTargetName,
  options: {
    issuer?: TestIssuer;
    postsUrl?: string;
    usersUrl?: string;
    env?: Record<string, string>;
    /** Also listen on this port (so posts can deliver its deletion events). */
    port?: number;
  } = {},
): Promise<VotesHarness> {
  const fresh = await freshDatabase(target);
  const issuer = options.issuer ?? (await createTestIssuer());
  const config = loadConfig(
    configSchema,
    testEnv({
      ...fresh.env,
      POSTS_URL: options.postsUrl ?? DOWN_URL,
      USERS_URL: options.usersUrl ?? DOWN_URL,
      OUTBOX_RELAY: 'false',
      OUTBOX_MAX_BACKOFF_MS: '0',
      POST_RESOLVE_INTERVAL_MS: '3600000',
      SERVICE_PRIVATE_KEY: TEST_SERVICE_PRIVATE_KEYS.votes as string,
      ...options.env,
    }),
  );
  const votes = await buildApp(config, { accessTokenKeys: issuer.keys });
  await votes.app.ready();
  if (options.port !== undefined) await listen(votes.app, options.port);
  return {
    ...votes,
    issuer,
    close: async () => {
      await votes.app.close();
      await fresh.cleanup();
    },
  };
}

let voterCounter = 0;
/** A voter as a token describes them; votes does not need them to exist in users. */
export function someVoter() {
  voterCounter += 1;
  return { id: 500_000 + voterCounter, username: `v_${process.pid}_${voterCounter}` };
}

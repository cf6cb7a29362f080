import type { AddressInfo } from 'node:net';
import { loadConfig, type ServiceApp } from '@codeyard/service-kit';
import { createTestIssuer, type DatabaseTargetName, freshDatabase, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { buildApp as buildUsersApp } from '../../users/src/app.js';
import { configSchema as usersConfigSchema } from '../../users/src/config.js';
import { buildApp, type MessagesApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

export interface Person {
  id: number;
  username: string;
  /** `Authorization` header for messages (a test-issuer token with this id and username). */
  auth: { authorization: string };
}

export interface Harness {
  app: MessagesApp['app'];
  /** Registers a real account in users and returns it with a token for messages. */
  person(): Promise<Person>;
  /** Deactivates the account in users (as the user themself). */
  deactivate(person: Person): Promise<void>;
  stopUsers(): Promise<void>;
  startUsers(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** messages under test, talking over HTTP to a real users service on a port. */
export async function startMessages(target: DatabaseTargetName): Promise<Harness> {
  const issuer: TestIssuer = await createTestIssuer();
  const usersDb = await freshDatabase(target);
  const usersConfig = loadConfig(usersConfigSchema, testEnv(usersDb.env));
  let users: ServiceApp | undefined = (await buildUsersApp(usersConfig)).app;
  await users.listen({ port: 0, host: '127.0.0.1' });
  const usersPort = (users.server.address() as AddressInfo).port;

  const messagesDb = await freshDatabase(target);
  const config = loadConfig(
    configSchema,
    testEnv({ ...messagesDb.env, USERS_URL: `http://127.0.0.1:${usersPort}`, USERS_TIMEOUT_MS: '2000' }),
  );
  const { app } = await buildApp(config, { accessTokenKeys: issuer.keys });
  await app.ready();
  const usersApp = () => {
    if (!users) throw new Error('users is stopped');
    return users;
  };

  return {
    app,
    async person() {
      counter += 1;
      const username = `Pen_${process.pid}_${counter}`;
      const response = await usersApp().inject({
        method: 'POST',
        url: '/auth/register',
        payload: { username, email: `${username}@example.test`, password: 'a-password-123' },
      });
      if (response.statusCode !== 201) throw new Error(`register failed: ${response.body}`);
      const id = response.json().id as number;
      return { id, username, auth: { authorization: await issuer.bearer({ id, username }) } };
    },
    async deactivate(person) {
      const login = await usersApp().inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: person.username, password: 'a-password-123' },
      });
      const token = login.json().access_token as string;
      const response = await usersApp().inject({
        method: 'POST',
        url: `/users/${person.id}/deactivate`,
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.statusCode !== 200) throw new Error(`deactivate failed: ${response.body}`);
    },
    async stopUsers() {
      await users?.close();
      users = undefined;
    },
    async startUsers() {
      users = (await buildUsersApp(usersConfig)).app;
      await users.listen({ port: usersPort, host: '127.0.0.1' });
    },
    async close() {
      await app.close();
      await users?.close();
      await messagesDb.cleanup();
      await usersDb.cleanup();
    },
  };
}

import { randomUUID } from 'node:crypto';
import { loadConfig } from '@codeyard/service-kit';
import { type DatabaseTargetName, freshDatabase, testEnv } from '@codeyard/test-kit';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

export const ADMIN = { username: 'root', email: 'root@codeyard.test', password: 'admin-password-1' };

export interface UsersHarness {
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  signingJwk: JWK;
  close(): Promise<void>;
}

/** A users service on a fresh database of the given kind, with a known signing key and admin. */
export async function startUsers(target: DatabaseTargetName, extraEnv: Record<string, string> = {}): Promise<UsersHarness> {
  const database = await freshDatabase(target);
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'EdDSA' };
  const config = loadConfig(
    configSchema,
    testEnv({
      ...database.env,
      JWT_PRIVATE_KEY: JSON.stringify(signingJwk),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ADMIN_USERNAME: ADMIN.username,
      ...extraEnv,
    }),
  );
  const { app } = await buildApp(config);
  await app.ready();
  return {
    app,
    signingJwk,
    close: async () => {
      await app.close();
      await database.cleanup();
    },
  };
}

let counter = 0;
/** A unique, valid registration body. */
export function newUser(overrides: Partial<{ username: string; email: string; password: string }> = {}) {
  counter += 1;
  const tag = `${process.pid}${counter}${Math.floor(Math.random() * 1e6)}`;
  return { username: `user${tag}`.slice(0, 32), email: `user${tag}@example.test`, password: 'correct-horse-1', ...overrides };
}

type App = UsersHarness['app'];

export async function register(app: App, body = newUser()) {
  const response = await app.inject({ method: 'POST', url: '/auth/register', payload: body });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return { ...body, id: response.json().id as number };
}

export async function login(app: App, credentials: { username?: string; email?: string; password: string }) {
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: credentials });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return response.json() as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
}

/** Registers and signs in a new user; returns its id, tokens and an auth header. */
export async function signedInUser(app: App, overrides: Parameters<typeof newUser>[0] = {}) {
  const user = await register(app, newUser(overrides));
  const tokens = await login(app, { username: user.username, password: user.password });
  return { ...user, tokens, auth: { authorization: `Bearer ${tokens.access_token}` } };
}

export async function signedInAdmin(app: App) {
  const tokens = await login(app, { email: ADMIN.email, password: ADMIN.password });
  const status = await app.inject({ method: 'GET', url: '/auth/status', headers: { authorization: `Bearer ${tokens.access_token}` } });
  return { id: status.json().id as number, tokens, auth: { authorization: `Bearer ${tokens.access_token}` } };
}

import { loadConfig } from '@codeyard/service-kit';
import { describeEachDatabase, freshDatabase, testEnv } from '@codeyard/test-kit';
import { expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

describeEachDatabase('users: bootstrap', (target) => {
  it('creates the bootstrap admin once when several replicas start together on one database', async () => {
    const database = await freshDatabase(target);
    const env = testEnv({ ...database.env, ADMIN_EMAIL: 'boss@codeyard.test', ADMIN_PASSWORD: 'boss-password-1', ADMIN_USERNAME: 'boss' });
    const replicas = await Promise.all([1, 2, 3].map(() => buildApp(loadConfig(configSchema, env))));
    try {
      const admins = await replicas[0]?.app.inject({ method: 'GET', url: '/users?username=boss' });
      expect(admins?.json()).toHaveLength(1);
      expect(admins?.json()[0]).toMatchObject({ username: 'boss', admin: true });
      const login = await replicas[2]?.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'boss@codeyard.test', password: 'boss-password-1' } });
      expect(login?.statusCode).toBe(200);
    } finally {
      await Promise.all(replicas.map(({ app }) => app.close()));
      await database.cleanup();
    }
  });
});

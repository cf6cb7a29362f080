// Creates (or promotes nothing, just reports) an administrator in the users database:
//   npm run admin:create -- --email ada@example.com --username ada [--password …]
// Without --password the password is read from ADMIN_PASSWORD or prompted on the terminal.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { users as contract } from '@codeyard/contracts';
import { ConfigError, loadConfig } from '@codeyard/service-kit';
import { buildApp } from '../app.js';
import { configSchema } from '../config.js';

const { values } = parseArgs({
  options: { email: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
});

async function main(): Promise<number> {
  const email = values.email ?? process.env.ADMIN_EMAIL;
  const username = values.username ?? process.env.ADMIN_USERNAME ?? 'admin';
  let password = values.password ?? process.env.ADMIN_PASSWORD;
  if (!email) {
    console.error('usage: npm run admin:create -- --email EMAIL [--username NAME] [--password PASSWORD]');
    return 2;
  }
  if (!password) {
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    password = await terminal.question('Password for the new admin: ');
    terminal.close();
  }
  const input = contract.registerBody.safeParse({ email, username, password });
  if (!input.success) {
    for (const issue of input.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  // Build the app without the env's bootstrap admin, then create this one through the domain rules.
  const config = loadConfig(configSchema, { ...process.env, ADMIN_EMAIL: '', ADMIN_PASSWORD: '', LOG_LEVEL: 'warn' });
  const { app, accounts } = await buildApp(config);
  try {
    const created = await accounts.ensureAdmin(input.data);
    console.log(created ? `Admin ${created.username} (id ${created.id}) created.` : `A user with email ${email} already exists; nothing changed.`);
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    await app.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}

// `npm run seed`: fills a running Codeyard with sample data through its public API, as the admin.
// Safe to run again: what exists is found and kept, nothing is created twice.
//
//   SEED_BASE_URL   the gateway (default http://localhost:8080)
//   ADMIN_EMAIL     default admin@codeyard.local, as `npm start` creates it in development
//   ADMIN_PASSWORD  default: the content of data/admin-password (written by `npm start`)
//   SEED_USER_PASSWORD  password of the sample users (default codeyard-sample-password)
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, type SeedContext, seedCommunity } from './community.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function adminCredentials(): { email: string; password: string } {
  const email = process.env.ADMIN_EMAIL ?? 'admin@codeyard.local';
  if (process.env.ADMIN_PASSWORD) return { email, password: process.env.ADMIN_PASSWORD };
  const file = resolve(root, process.env.DATA_DIR ?? 'data', 'admin-password');
  if (!existsSync(file)) {
    throw new Error(`No admin password: set ADMIN_PASSWORD, or start Codeyard with \`npm start\` (it writes ${file}).`);
  }
  return { email, password: readFileSync(file, 'utf8').trim() };
}

async function main() {
  const baseUrl = (process.env.SEED_BASE_URL ?? 'http://localhost:8080').replace(/\/$/, '');
  const log = (line: string) => console.log(line);
  const { email, password } = adminCredentials();
  let login: Awaited<ReturnType<typeof call>>;
  try {
    login = await call({ baseUrl }, '/auth/login', { method: 'POST', json: { email, password } });
  } catch (error) {
    throw new Error(`Cannot reach Codeyard at ${baseUrl} (${error instanceof Error ? error.message : error}); is it running?`);
  }
  if (login.status !== 200) throw new Error(`Admin sign-in as ${email} failed: HTTP ${login.status} ${JSON.stringify(login.body)}`);
  const ctx: SeedContext = { baseUrl, adminToken: login.body.access_token as string, log };

  log(`Seeding ${baseUrl} as ${email}`);
  const community = await seedCommunity(ctx);
  log(`  users     ${community.users.created} created, ${community.users.existing} already there`);
  log(`  posts     ${community.posts.created} created, ${community.posts.existing} already there (5 communities)`);
  log(`  votes     ${community.votes.cast} asked for (a repeated vote changes nothing)`);
  log(`  messages  ${community.messages.created} sent, ${community.messages.existing} already there`);
  log(
    `  karma     ${Object.entries(community.karma)
      .map(([name, karma]) => `${name} ${karma}`)
      .join(', ')}`,
  );

  // The exercises are seeded by their own module when the exercises part of Codeyard is present.
  if (existsSync(resolve(root, 'scripts/seed/exercises.ts'))) {
    const exercisesModule = './exercises.js';
    const { seedExercises } = (await import(exercisesModule)) as { seedExercises?: (context: SeedContext) => Promise<void> };
    if (seedExercises) await seedExercises(ctx);
  }
  log('Done.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

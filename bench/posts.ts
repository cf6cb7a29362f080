// npm run bench:posts — how long the list endpoints take with a million posts, on SQLite and (when
// BENCH_DATABASE_URL or TEST_DATABASE_URL is set) on PostgreSQL, side by side in one run.
// Requests go through the posts app in-process (app.inject): this measures the query and the
// service, not the network.
import { loadConfig } from '@codeyard/service-kit';
import { type DatabaseTargetName, freshDatabase } from '@codeyard/test-kit/databases';
import { testEnv } from '@codeyard/test-kit/env';
import { parseArgs } from 'node:util';
import { buildApp } from '../services/posts/src/app.js';
import { configSchema } from '../services/posts/src/config.js';
import { insertBulkPosts } from '../services/posts/test/bulk-posts.js';

const { values: args } = parseArgs({ options: { posts: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '31' } } });
const POSTS = Number(args.posts);
const RUNS = Number(args.runs);
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (postgresUrl) process.env.TEST_DATABASE_URL = postgresUrl;
const targets: DatabaseTargetName[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

const cursor = (id: number) => Buffer.from(JSON.stringify({ id })).toString('base64url');
const urls: Record<string, string> = {
  'GET /posts?limit=25': '/posts?limit=25',
  'GET /posts?limit=100 (deep page)': `/posts?limit=100&before=${cursor(1_000)}`,
  'GET /communities/bulk_python/posts': '/communities/bulk_python/posts?limit=25',
  'GET /communities/bulk_rare/posts (deep)': `/communities/bulk_rare/posts?limit=25&before=${cursor(Math.floor(POSTS / 2))}`,
  'GET /communities': '/communities',
};

const rows: string[] = [];
for (const target of targets) {
  const fresh = await freshDatabase(target);
  const { app, database } = await buildApp(loadConfig(configSchema, testEnv({ ...fresh.env, OUTBOX_RELAY: 'false' })));
  try {
    const started = performance.now();
    await insertBulkPosts(database.db, POSTS);
    rows.push(`${target}: inserted ${POSTS.toLocaleString('en')} posts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const [label, url] of Object.entries(urls)) {
      await app.inject({ method: 'GET', url });
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const response = await app.inject({ method: 'GET', url });
        times.push(performance.now() - t0);
        if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
      }
      times.sort((a, b) => a - b);
      const p = (q: number) => (times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] as number).toFixed(2);
      rows.push(`${target.padEnd(9)} ${label.padEnd(40)} p50 ${p(0.5).padStart(7)} ms   p99 ${p(0.99).padStart(7)} ms`);
    }
  } finally {
    await app.close();
    await fresh.cleanup();
  }
}
console.log(`\nbench:posts — ${RUNS} requests each after one warm-up\n`);
for (const row of rows) console.log(row);

// npm run load — N virtual users doing what people do on Codeyard through the gateway, then a
// check that the data matches what they were told. Prints req/s and p50/p95/p99 per step and
// every unexpected status; exits 1 on any unexpected status or data mismatch.
//
//   npm run load                                   100 users, 60 s, on a fresh system (SQLite)
//   TEST_DATABASE_URL=postgres://… npm run load    the fresh system on PostgreSQL
//   npm run load -- --users 1000 --ramp 30 --duration 120 --think-ms 1000 --seed 7
//   npm run load -- --base-url http://127.0.0.1:8080   a running system (ADMIN_EMAIL/ADMIN_PASSWORD
//                                                   to seed the exercises if it has none)
import { parseArgs } from 'node:util';
import { runJourney } from './run.js';
import { useSystem } from './system.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100' },
    duration: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '10' },
    'think-ms': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'base-url': { type: 'string' },
    'converge-timeout': { type: 'string', default: '60' },
  },
});
const USERS = Number(args.users);
const DURATION_S = Number(args.duration);
const RAMP_S = Number(args.ramp);
const THINK_MS = Number(args['think-ms']);
const SEED = Number(args.seed);
for (const [name, value] of Object.entries({ users: USERS, duration: DURATION_S, ramp: RAMP_S, 'think-ms': THINK_MS, seed: SEED })) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
}

const system = await useSystem(args['base-url']);
try {
  console.log(`load: ${USERS} users, ramp ${RAMP_S} s, ${DURATION_S} s, think ${THINK_MS} ms, seed ${SEED}`);
  process.exitCode = await runJourney(system, {
    users: USERS,
    durationS: DURATION_S,
    rampS: RAMP_S,
    thinkMs: THINK_MS,
    seed: SEED,
    convergeTimeoutS: Number(args['converge-timeout']),
  });
} finally {
  await system.stop();
}

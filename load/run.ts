// One journey run: seed the exercises, start the virtual users (with a ramp), optionally inject
// faults alongside (the retrying client below is for that), print the figures, check the data.
import { SEED_EXERCISES, seedExercises } from '../scripts/seed/exercises.js';
import { checkData } from './check.js';
import { loadClient, Recorder, retryingWrites, SHED_STATUSES, seededRandom } from './client.js';
import { type Exercise, type JourneyContext, runVirtualUser } from './journey.js';
import { Ledger } from './ledger.js';
import type { RunningSystem } from './system.js';

export interface JourneyOptions {
  users: number;
  durationS: number;
  rampS: number;
  thinkMs: number;
  seed: number;
  convergeTimeoutS: number;
  /** Runs alongside the users (from the start of the journey); returns what it did, to print. */
  faults?: (journeyDone: () => boolean) => Promise<string[]>;
}

async function loadExercises(system: RunningSystem): Promise<Exercise[]> {
  const list = async () => {
    const response = await fetch(`${system.baseUrl}/api/v1/exercises?limit=100`);
    return (await response.json()) as Array<{ id: number; title: string; language: string }>;
  };
  let stored = await list();
  if (!stored.some((exercise) => SEED_EXERCISES.some((seed) => seed.title === exercise.title))) {
    await seedExercises({ baseUrl: system.baseUrl, adminToken: await system.adminToken(), log: (line) => console.log(`  ${line}`) });
    stored = await list();
  }
  return stored.flatMap((exercise) => {
    const seed = SEED_EXERCISES.find((candidate) => candidate.title === exercise.title);
    return seed
      ? [{ id: exercise.id, title: exercise.title, language: exercise.language, right: seed.solution, wrong: seed.starter_code }]
      : [];
  });
}

export async function runJourney(system: RunningSystem, options: JourneyOptions): Promise<number> {
  const { users: USERS, durationS: DURATION_S, rampS: RAMP_S, thinkMs: THINK_MS, seed: SEED } = options;
  console.log(`system: ${system.baseUrl} (${system.description})`);
  const exercises = await loadExercises(system);
  console.log(`exercises: ${exercises.length} (${[...new Set(exercises.map((e) => e.language))].join(', ')})`);

  const recorder = new Recorder();
  const faulty = options.faults !== undefined;
  const plain = loadClient(system.baseUrl, recorder, faulty ? { tolerate: SHED_STATUSES } : {});
  const retrying = retryingWrites(plain, { giveUpMs: 180_000, random: seededRandom(SEED + 7) });
  const call = faulty ? retrying.call : plain;
  const tag = `${Date.now().toString(36).slice(-5)}${seededRandom(SEED).int(1296).toString(36)}`;
  const ledger = new Ledger();
  const ctx: JourneyContext = {
    call,
    ledger,
    exercises,
    communities: Array.from({ length: 5 }, (_, i) => `load_${tag}_${i}`),
    tag,
    password: 'load-user-password',
  };

  const started = Date.now();
  const deadline = started + DURATION_S * 1000;
  recorder.startedAt = performance.now();
  const progress = setInterval(() => {
    console.log(
      `  ${((Date.now() - started) / 1000).toFixed(0)} s: ${ledger.users.length} users, ${recorder.total} requests, ${recorder.unexpected.length} unexpected`,
    );
  }, 10_000);
  let usersDone = false;
  const faultLog = options.faults?.(() => usersDone) ?? Promise.resolve([]);
  await Promise.all(
    Array.from({ length: USERS }, async (_, index) => {
      await new Promise((done) => setTimeout(done, USERS > 1 ? (RAMP_S * 1000 * index) / USERS : 0));
      await runVirtualUser(ctx, index, { deadline, thinkMs: THINK_MS, random: seededRandom(SEED * 100_003 + index) });
    }),
  );
  usersDone = true;
  const faultLines = await faultLog;
  clearInterval(progress);
  recorder.stop();
  if (faulty) {
    console.log('\nfaults');
    for (const line of faultLines) console.log(`  ${line}`);
    ledger.doubled.push(...retrying.gaveUp.map((line) => `a write never answered: ${line}`));
  }

  console.log(`\njourney: ${ledger.users.length} users, ${recorder.total} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(recorder.table());
  if (recorder.unexpected.length > 0) {
    console.log(`\n${recorder.unexpected.length} unexpected statuses${recorder.unexpected.length > 50 ? ' (first 50)' : ''}:`);
    for (const u of recorder.unexpected.slice(0, 50)) console.log(`  ${u.at} [${u.step}] ${u.request}\n    → ${u.status} ${u.response}`);
  }

  console.log('\ndata check');
  const checkRecorder = new Recorder();
  const result = await checkData(loadClient(system.baseUrl, checkRecorder), ledger, {
    convergeTimeoutMs: options.convergeTimeoutS * 1000,
  });
  console.log(
    `  checked ${Object.entries(result.checked)
      .map(([what, n]) => `${n} ${what}`)
      .join(', ')}`,
  );
  console.log(
    `  karma converged after ${result.convergedAfter.karma?.toFixed(1) ?? 'never'} s, scores after ${result.convergedAfter.scores?.toFixed(1) ?? 'never'} s`,
  );
  for (const u of checkRecorder.unexpected.slice(0, 20))
    console.log(`  check request [${u.step}] ${u.request}\n    → ${u.status} ${u.response}`);
  for (const line of result.mismatches.slice(0, 100)) console.log(`  MISMATCH ${line}`);
  if (result.mismatches.length > 100) console.log(`  … and ${result.mismatches.length - 100} more mismatches`);

  const failed = recorder.unexpected.length + result.mismatches.length + checkRecorder.unexpected.length;
  console.log(
    failed === 0
      ? `\nPASS: no unexpected status${faulty ? ` (${recorder.shed} answers shed during faults)` : ''}, every acknowledged write is there exactly once`
      : `\nFAIL: ${recorder.unexpected.length} unexpected statuses, ${result.mismatches.length} data mismatches`,
  );
  return failed === 0 ? 0 : 1;
}

import { createServiceClient, createServiceCredential, loadConfig, startOutboxRelay } from '@codeyard/service-kit';
import { createTestIssuer, describeEachDatabase, freshDatabase, TEST_SERVICE_PRIVATE_KEYS, type TestIssuer, testEnv } from '@codeyard/test-kit';
import { afterEach, expect, it, vi } from 'vitest';
import { buildApp as buildScores } from '../../scores/src/app.js';
import { configSchema as scoresConfigSchema } from '../../scores/src/config.js';
import { fakeEval } from './fake-eval.js';
import { type ExercisesHarness, freePort, jsExercise, RIGHT_ANSWER, startExercises, uniqueId, WRONG_ANSWER } from './helpers.js';

/** Deliveries cross a real HTTP hop and a relay's backoff: wait for them generously, not vitest's 1 s default. */
const DELIVERY_WAIT = { timeout: 15_000, interval: 50 };

/** The real scores service, listening on a real port (the relay talks HTTP to it). */
async function startScoresOn(target: Parameters<typeof freshDatabase>[0], port: number, issuer: TestIssuer) {
  const database = await freshDatabase(target);
  const config = loadConfig(scoresConfigSchema, testEnv({ ...database.env, PORT: String(port) }));
  const { app } = await buildScores(config, { accessTokenKeys: issuer.keys });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    /** The user's scores as the scores service has them. */
    scoresOf: async (userId: number) => (await app.inject({ method: 'GET', url: `/scores?user_id=${userId}` })).json(),
    close: async () => {
      await app.close();
      await database.cleanup();
    },
  };
}

describeEachDatabase('exercises: score updates through the outbox', (target) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(options: { relay: boolean }) {
    const issuer = await createTestIssuer();
    const scoresPort = await freePort();
    const exercises: ExercisesHarness = await startExercises(target, {
      eval: fakeEval().client,
      issuer,
      env: {
        SCORES_URL: `http://127.0.0.1:${scoresPort}`,
        OUTBOX_RELAY: String(options.relay),
        OUTBOX_POLL_MS: '20',
        OUTBOX_MAX_BACKOFF_MS: '100',
      },
    });
    cleanups.push(() => exercises.close());
    const created = await exercises.app.inject({ method: 'POST', url: '/exercises', headers: exercises.admin, payload: jsExercise() });
    const userId = uniqueId();
    const auth = await exercises.userAuth(userId);
    const submit = async (code: string) => {
      const response = await exercises.app.inject({
        method: 'POST',
        url: `/exercises/${created.json().id}/submissions`,
        headers: auth,
        payload: { code },
      });
      expect(response.statusCode).toBe(201);
      return response.json();
    };
    const startScores = async () => {
      const scores = await startScoresOn(target, scoresPort, issuer);
      cleanups.push(() => scores.close());
      return scores;
    };
    const outbox = () => exercises.db.selectFrom('outbox').selectAll().execute();
    return { exercises, exerciseId: created.json().id as number, userId, submit, startScores, outbox };
  }

  it('keeps the submission and the pending update while scores is down, and delivers it once scores is back', async () => {
    const { exercises, exerciseId, userId, submit, startScores, outbox } = await setUp({ relay: true });
    const submission = await submit(RIGHT_ANSWER);
    expect(submission.status).toBe('passed');
    // The relay tried and failed: the event is still pending, with the error kept.
    await vi.waitFor(async () => {
      const [event] = await outbox();
      expect(event).toMatchObject({ status: 'pending', last_error: expect.stringContaining('scores') });
      expect(event?.attempts).toBeGreaterThanOrEqual(1);
    }, DELIVERY_WAIT);
    expect(await exercises.outbox?.pending()).toBe(1);

    const scores = await startScores();
    await vi.waitFor(async () => {
      expect(await scores.scoresOf(userId)).toEqual([
        expect.objectContaining({ user_id: userId, exercise_id: exerciseId, correct: true, attempts: 1, solved_at: submission.created_at }),
      ]);
    }, DELIVERY_WAIT);
    await vi.waitFor(async () => expect(await exercises.outbox?.pending()).toBe(0), DELIVERY_WAIT);
  });

  it('delivers right after the submission when scores is up (the relay is woken, not just polled)', async () => {
    const { userId, submit, startScores } = await setUp({ relay: true });
    const scores = await startScores();
    await submit(WRONG_ANSWER);
    await vi.waitFor(async () => expect(await scores.scoresOf(userId)).toEqual([expect.objectContaining({ correct: false, attempts: 1 })]), DELIVERY_WAIT);
    await submit(RIGHT_ANSWER);
    await submit(WRONG_ANSWER);
    // Correct stays correct after a later wrong answer; every attempt is counted.
    await vi.waitFor(async () => expect(await scores.scoresOf(userId)).toEqual([expect.objectContaining({ correct: true, attempts: 3 })]), DELIVERY_WAIT);
  });

  it('does not count a redelivered event twice (a crash between sending and marking it sent)', async () => {
    const { exercises, userId, submit, startScores, outbox } = await setUp({ relay: false });
    expect(exercises.outbox).toBeUndefined();
    // Deliver with a relay of our own so the test controls every round.
    const scores = await startScores();
    const relay = startOutboxRelay({
      db: exercises.db,
      clients: {
        scores: createServiceClient({
          baseUrl: `http://127.0.0.1:${(scores.app.server.address() as { port: number }).port}`,
          target: 'scores',
          credential: createServiceCredential('exercises', TEST_SERVICE_PRIVATE_KEYS.exercises as string),
        }),
      },
      logger: exercises.app.log,
      pollIntervalMs: 600_000,
    });
    cleanups.push(() => relay.stop());

    await submit(RIGHT_ANSWER);
    expect(await relay.deliverDue()).toBe(1);
    expect(await scores.scoresOf(userId)).toEqual([expect.objectContaining({ correct: true, attempts: 1 })]);

    // As if the relay had crashed after scores applied the event but before it was marked sent.
    await exercises.db.updateTable('outbox').set({ status: 'pending', sent_at: null }).execute();
    expect(await relay.deliverDue()).toBe(1);
    expect((await outbox())[0]?.status).toBe('sent');
    expect(await scores.scoresOf(userId)).toEqual([expect.objectContaining({ correct: true, attempts: 1 })]);
  });
});

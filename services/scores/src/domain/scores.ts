import type { scores as contracts } from '@codeyard/contracts';
import {
  type Actor,
  badRequest,
  conflict,
  isUniqueViolation,
  notFound,
  type ProcessedKeys,
  requireServiceOrAdmin,
  requireUser,
} from '@codeyard/service-kit';
import type { Kysely } from 'kysely';
import type { ScoresDatabase } from '../db/schema.js';
import type { ScoreRecord, ScoresRepo } from '../db/scores-repo.js';
import type { UsernameDirectory } from './usernames.js';

/** Scores change by grading a submission: only exercises (and admins) write them. */
/** The only service that writes scores (its grading outbox); scores accepts no other service's credential. */
export const SCORE_WRITERS = ['exercises'];

export function presentScore(score: ScoreRecord): contracts.Score {
  return {
    id: score.id,
    user_id: score.userId,
    exercise_id: score.exerciseId,
    correct: score.correct,
    attempts: score.attempts,
    solved_at: score.solvedAt,
    updated_at: score.updatedAt,
  };
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Keys are per caller, so two services (or an admin) can never collide on one key. */
function scopedKey(actor: Actor, key: string): string {
  return actor.kind === 'service' ? `service:${actor.name}:${key}` : `user:${actor.id}:${key}`;
}

/** What a recorded attempt stored under its key, to tell a reused key from a redelivery. */
export interface ScoreEventResult {
  userId: number;
  exerciseId: number;
  correct: boolean;
}

export function createScores(deps: {
  db: Kysely<ScoresDatabase>;
  scores: ScoresRepo;
  /** applied attempts (service-kit `processedKeys(db, 'score')`), with what each recorded */
  scoreEvents: ProcessedKeys<ScoreEventResult>;
  usernames: UsernameDirectory;
}) {
  const { db, scores, scoreEvents, usernames } = deps;

  async function requireScore(id: number): Promise<ScoreRecord> {
    const score = await scores.findById(id);
    if (!score) throw notFound(`Score ${id} does not exist`);
    return score;
  }

  return {
    requireScore,

    list: (filter: { userId?: number | undefined; exerciseId?: number | undefined; beforeId?: number | undefined; limit: number }) =>
      scores.list(filter),

    async listMine(actor: Actor | null, page: { beforeId?: number | undefined; limit: number }) {
      const user = requireUser(actor);
      return scores.list({ ...page, userId: user.id });
    },

    /** The caller's score with that id; someone else's score is a 404, as if it did not exist. */
    async getMine(actor: Actor | null, id: number): Promise<ScoreRecord> {
      const user = requireUser(actor);
      const score = await scores.findById(id);
      if (!score || score.userId !== user.id) throw notFound(`Score ${id} does not exist`);
      return score;
    },

    async create(actor: Actor | null, input: contracts.CreateScoreBody): Promise<ScoreRecord> {
      requireServiceOrAdmin(actor, SCORE_WRITERS);
      const now = new Date().toISOString();
      const alreadyExists = () =>
        conflict(`A score for user ${input.user_id} and exercise ${input.exercise_id} exists already; update it with PUT or PATCH`, {
          exercise_id: 'already has a score for this user',
        });
      try {
        const score = await scores.insertIfAbsent({
          userId: input.user_id,
          exerciseId: input.exercise_id,
          correct: input.correct,
          attempts: 0,
          solvedAt: input.correct ? now : null,
          at: now,
        });
        if (!score) throw alreadyExists();
        return score;
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists();
        throw error;
      }
    },

    async replace(actor: Actor | null, id: number, input: { correct: boolean }): Promise<ScoreRecord> {
      requireServiceOrAdmin(actor, SCORE_WRITERS);
      const score = await scores.setCorrect(id, input.correct);
      if (!score) throw notFound(`Score ${id} does not exist`);
      return score;
    },

    /**
     * Records one graded attempt (the submission flow's event, or an admin): creates the score on
     * the first attempt. With an Idempotency-Key the attempt counts once however often it is
     * delivered — the key and the change commit in one transaction.
     */
    async recordAttempt(
      actor: Actor | null,
      input: contracts.RecordAttemptBody,
      idempotencyKey: string | undefined,
    ): Promise<{ score: ScoreRecord; created: boolean }> {
      const caller = requireServiceOrAdmin(actor, SCORE_WRITERS);
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw badRequest('Invalid Idempotency-Key', { 'idempotency-key': 'must be 1-200 visible ASCII characters' });
      }
      const event = { userId: input.user_id, exerciseId: input.exercise_id, correct: input.correct };
      const submittedAt = input.submitted_at ?? new Date().toISOString();
      const key = idempotencyKey === undefined ? undefined : scopedKey(caller, idempotencyKey);
      const outcome = await db.transaction().execute(async (trx) => {
        if (key !== undefined && !(await scoreEvents.recordOnce(key, event, trx))) return undefined;
        const inserted = await scores.insertIfAbsent(
          { ...event, attempts: 1, solvedAt: input.correct ? submittedAt : null, at: new Date().toISOString() },
          trx,
        );
        if (inserted) return { score: inserted, created: true };
        const existing = await scores.findByPair(event.userId, event.exerciseId, trx);
        if (!existing) throw new Error('score vanished between insert and update');
        return { score: await scores.addAttempt(existing.id, { correct: input.correct, submittedAt }, trx), created: false };
      });
      if (outcome) return outcome;
      // Already applied: answer with the score as it is now, unless the key was used for another attempt.
      const first = key === undefined ? undefined : (await scoreEvents.find(key))?.result;
      if (first && (first.userId !== event.userId || first.exerciseId !== event.exerciseId || first.correct !== event.correct)) {
        throw conflict('This Idempotency-Key was already used for a different attempt', {
          'idempotency-key': 'was already used with a different body',
        });
      }
      const current = await scores.findByPair(event.userId, event.exerciseId);
      if (!current) throw notFound(`Score for user ${event.userId} and exercise ${event.exerciseId} does not exist`);
      return { score: current, created: false };
    },

    async leaderboard(limit: number, requestId: string): Promise<contracts.LeaderboardEntry[]> {
      const rows = await scores.leaderboard(limit);
      const names = await usernames.lookup(
        rows.map((row) => row.userId),
        requestId,
      );
      return rows.map((row) => ({
        user_id: row.userId,
        username: names.get(row.userId) ?? null,
        solved: row.solved,
        last_solved_at: row.lastSolvedAt,
      }));
    },
  };
}

export type Scores = ReturnType<typeof createScores>;

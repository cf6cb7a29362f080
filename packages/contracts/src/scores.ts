import { z } from 'zod';
import { idParam, idValue, timestamp } from './common.js';

/** One score per (user, exercise). */
export const score = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    exercise_id: z.number().int(),
    /** Once a submission was correct this stays true; only an admin's PUT can set it back. */
    correct: z.boolean(),
    /** Graded submissions recorded for this exercise (PATCH adds one each time). */
    attempts: z.number().int(),
    /** When the first correct submission was made; null until then. */
    solved_at: timestamp.nullable(),
    updated_at: timestamp,
  })
  .meta({ id: 'Score' });
export type Score = z.infer<typeof score>;

const correct = z.boolean({ error: 'must be true or false' });
/** An id in a path or query string (idParam stops at MAX_ID, the largest 32-bit id). */
export const scoreIdParam = idParam;
export const scoreIdParams = z.object({ id: scoreIdParam });

export const listScoresQuery = z.object({
  exercise_id: scoreIdParam.optional(),
  user_id: scoreIdParam.optional(),
});

export const createScoreBody = z.object({ user_id: idValue, exercise_id: idValue, correct });
export type CreateScoreBody = z.infer<typeof createScoreBody>;

export const replaceScoreBody = z.object({ correct });

/**
 * One graded attempt. `submitted_at` (optional, default now) is when the submission was graded,
 * so an event delivered late by the outbox still records the true solve time.
 */
export const recordAttemptBody = z.object({
  user_id: idValue,
  exercise_id: idValue,
  correct,
  submitted_at: z.iso.datetime({ error: 'must be an ISO 8601 UTC timestamp' }).optional(),
});
export type RecordAttemptBody = z.infer<typeof recordAttemptBody>;

export const leaderboardEntry = z
  .object({
    user_id: z.number().int(),
    /** null when the users service cannot say (unreachable, or the account was deleted). */
    username: z.string().nullable(),
    solved: z.number().int(),
    last_solved_at: timestamp,
  })
  .meta({ id: 'LeaderboardEntry' });
export type LeaderboardEntry = z.infer<typeof leaderboardEntry>;

import type { IdempotencyKeysTable, OutboxTable } from '@codeyard/service-kit';
import type { Generated } from 'kysely';

export interface ExercisesTable {
  id: Generated<number>;
  title: string;
  body: string;
  language: string;
  /** easy, medium or hard; the column defaults to medium */
  difficulty: Generated<string>;
  entrypoint: string;
  starter_code: string;
  /** JSON text */
  examples: string;
  tests: string;
  solution: string;
  created_at: string;
  updated_at: string;
}

export interface SubmissionsTable {
  id: Generated<number>;
  exercise_id: number;
  user_id: number;
  code: string;
  status: string;
  passed: number;
  total: number;
  /** JSON text */
  results: string;
  stdout: string;
  duration_ms: number;
  example_count: number;
  created_at: string;
}

export interface ExercisesDatabase {
  exercises: ExercisesTable;
  submissions: SubmissionsTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
}

import type { ProcessedKeysTable } from '@codeyard/service-kit';
import type { Generated } from 'kysely';

export interface ScoresTable {
  id: Generated<number>;
  user_id: number;
  exercise_id: number;
  /** 0/1 on both databases */
  correct: number;
  attempts: number;
  solved_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScoresDatabase {
  scores: ScoresTable;
  processed_keys: ProcessedKeysTable;
}

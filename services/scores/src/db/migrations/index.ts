import type { Migration } from 'kysely';
import * as scores from './001_scores.js';
import * as scoreEvents from './002_score_events.js';
import * as processedKeys from './003_processed_keys.js';

export const migrations: Record<string, Migration> = {
  '001_scores': scores,
  '002_score_events': scoreEvents,
  '003_processed_keys': processedKeys,
};

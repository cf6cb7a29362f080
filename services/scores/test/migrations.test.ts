import { describeMigrations } from '@codeyard/test-kit';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('scores', migrations, ['score_events', 'scores']);

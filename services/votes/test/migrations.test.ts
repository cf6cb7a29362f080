import { describeMigrations } from '@codeyard/test-kit';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('votes', migrations, ['outbox', 'post_tallies', 'votes']);

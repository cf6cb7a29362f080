import { describeMigrations } from '@codeyard/test-kit';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('exercises', migrations, ['exercises', 'idempotency_keys', 'outbox', 'submissions']);

import { describeMigrations } from '@codeyard/test-kit';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('messages', migrations, ['idempotency_keys', 'messages']);

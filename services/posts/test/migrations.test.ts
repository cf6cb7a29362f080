import { describeMigrations } from '@codeyard/test-kit';
import { migrations } from '../src/db/migrations/index.js';

describeMigrations('posts', migrations, ['communities', 'idempotency_keys', 'outbox', 'posts']);

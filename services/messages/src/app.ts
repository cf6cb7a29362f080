import { buildService, createServiceClient, type Database, type ServiceApp } from '@codeyard/service-kit';
import type { JWTVerifyGetKey } from 'jose';
import type { MessagesConfig } from './config.js';
import { createMessagesRepo } from './db/messages-repo.js';
import { migrations } from './db/migrations/index.js';
import type { MessagesDatabase } from './db/schema.js';
import { createMessaging } from './domain/messages.js';
import { createRecipientDirectory } from './domain/recipients.js';
import { registerMessageRoutes } from './routes/messages.js';

export interface MessagesApp {
  app: ServiceApp;
  database: Database<MessagesDatabase>;
}

export async function buildApp(config: MessagesConfig, overrides: { accessTokenKeys?: JWTVerifyGetKey } = {}): Promise<MessagesApp> {
  const { app, database } = await buildService<MessagesDatabase>({
    name: 'messages',
    description: 'Private messages between users: inbox, sent box, per-party delete and favourite.',
    config,
    migrations,
    ...(overrides.accessTokenKeys && { accessTokenKeys: overrides.accessTokenKeys }),
    processMetrics: config.NODE_ENV !== 'test',
  });
  if (!database) throw new Error('messages needs a database');
  const db = database.db;
  const recipients = createRecipientDirectory({
    // Looking a recipient up is public: messages holds no credential.
    client: createServiceClient({ baseUrl: config.USERS_URL, target: 'users' }),
    timeoutMs: config.USERS_TIMEOUT_MS,
  });
  registerMessageRoutes(app, createMessaging({ db, messages: createMessagesRepo(db), recipients }));
  return { app, database };
}

import {
  buildService,
  createServiceClient,
  type Database,
  type OutboxRelay,
  ownServiceCredential,
  type ServiceApp,
  type ServiceClient,
  startServiceOutboxRelay,
} from '@codeyard/service-kit';
import type { JWTVerifyGetKey } from 'jose';
import type { PostsConfig } from './config.js';
import { createCommunitiesRepo } from './db/communities-repo.js';
import { migrations } from './db/migrations/index.js';
import { createPostsRepo } from './db/posts-repo.js';
import type { PostsDatabase } from './db/schema.js';
import { createPostsDomain } from './domain/posts.js';
import { registerCommunityRoutes } from './routes/communities.js';
import { registerPostRoutes } from './routes/posts.js';

export interface PostsApp {
  app: ServiceApp;
  database: Database<PostsDatabase>;
  /** Delivers deletion events to votes; undefined when OUTBOX_RELAY=false. */
  relay: OutboxRelay | undefined;
  /** Clients the relay uses, by destination (tests build their own relays from them). */
  relayClients: Record<string, ServiceClient>;
}

export async function buildApp(config: PostsConfig, overrides: { accessTokenKeys?: JWTVerifyGetKey } = {}): Promise<PostsApp> {
  const { app, database } = await buildService<PostsDatabase>({
    name: 'posts',
    description: 'Communities and posts: create, read, delete, and the most recent posts overall and per community.',
    config,
    migrations,
    ...(overrides.accessTokenKeys && { accessTokenKeys: overrides.accessTokenKeys }),
    processMetrics: config.NODE_ENV !== 'test',
  });
  if (!database) throw new Error('posts needs a database');
  const db = database.db;
  const credential = ownServiceCredential(config, 'posts');
  const relayClients = { votes: createServiceClient({ baseUrl: config.VOTES_URL, target: 'votes', ...(credential && { credential }) }) };
  const relay = startServiceOutboxRelay(app, db, config, relayClients);
  const domain = createPostsDomain({
    db,
    posts: createPostsRepo(db),
    communities: createCommunitiesRepo(db),
    ...(relay && { onDeleted: () => relay.wake() }),
  });
  registerPostRoutes(app, domain);
  registerCommunityRoutes(app, domain);
  return { app, database, relay, relayClients };
}

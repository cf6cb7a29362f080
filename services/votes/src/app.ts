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
import type { VotesConfig } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { VotesDatabase } from './db/schema.js';
import { createTalliesRepo } from './db/tallies-repo.js';
import { createVotesRepo } from './db/votes-repo.js';
import { createPostDirectory } from './domain/post-directory.js';
import { type PostResolver, startPostResolver } from './domain/post-resolver.js';
import { createVoting, DELETION_ANNOUNCERS, type Voting } from './domain/voting.js';
import { registerVoteRoutes } from './routes/votes.js';

export interface VotesApp {
  app: ServiceApp;
  database: Database<VotesDatabase>;
  voting: Voting;
  /** Delivers karma events to users; undefined when OUTBOX_RELAY=false. */
  relay: OutboxRelay | undefined;
  /** Clients the relay uses, by destination (tests build their own relays from them). */
  relayClients: Record<string, ServiceClient>;
  resolver: PostResolver;
}

export async function buildApp(config: VotesConfig, overrides: { accessTokenKeys?: JWTVerifyGetKey } = {}): Promise<VotesApp> {
  const { app, database } = await buildService<VotesDatabase>({
    name: 'votes',
    description: 'One vote per user and post, tallies and top lists; karma reaches users through a transactional outbox.',
    config,
    migrations,
    trustedServices: DELETION_ANNOUNCERS,
    ...(overrides.accessTokenKeys && { accessTokenKeys: overrides.accessTokenKeys }),
    processMetrics: config.NODE_ENV !== 'test',
  });
  if (!database) throw new Error('votes needs a database');
  const db = database.db;
  const credential = ownServiceCredential(config, 'votes');
  const relayClients = { users: createServiceClient({ baseUrl: config.USERS_URL, target: 'users', ...(credential && { credential }) }) };
  const relay = startServiceOutboxRelay(app, db, config, relayClients);
  const directory = createPostDirectory({
    // Posts are public: no credential (posts accepts none).
    client: createServiceClient({ baseUrl: config.POSTS_URL, target: 'posts' }),
    timeoutMs: config.POSTS_TIMEOUT_MS,
    logger: app.log,
  });
  const voting = createVoting({
    db,
    tallies: createTalliesRepo(db),
    votes: createVotesRepo(db),
    directory,
    wakeRelay: () => relay?.wake(),
  });
  const resolver = startPostResolver({ voting, intervalMs: config.POST_RESOLVE_INTERVAL_MS, logger: app.log });
  // Background loops stop before the database closes (onClose).
  app.addHook('preClose', async () => {
    await resolver.stop();
  });
  registerVoteRoutes(app, voting);
  return { app, database, voting, relay, relayClients, resolver };
}

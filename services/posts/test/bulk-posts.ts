import { isPostgres } from '@codeyard/service-kit';
import { type Kysely, sql } from 'kysely';

export const BULK_COMMUNITIES = ['bulk_javascript', 'bulk_python', 'bulk_rust', 'bulk_go', 'bulk_rare'];

/**
 * Inserts `count` posts in one statement (1 in 1000 in `bulk_rare`, so its pages need a deep index
 * range, not a lucky scan), counts them per community and refreshes the planner's statistics.
 * Used by the plan test and by `npm run bench:posts`.
 */
export async function insertBulkPosts(db: Kysely<any>, count: number): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('communities')
    .values(BULK_COMMUNITIES.map((name) => ({ name, post_count: 0, created_at: now })))
    .execute();
  const community = (i: unknown) => sql<string>`case when ${i} % 1000 = 0 then 'bulk_rare' else
    case ${i} % 4 when 0 then 'bulk_javascript' when 1 then 'bulk_python' when 2 then 'bulk_rust' else 'bulk_go' end end`;
  if (isPostgres(db)) {
    await sql`insert into posts (title, text, url, community, user_id, username, created_at)
      select 'Post number ' || i, 'Some text', null, ${community(sql`i`)}, i % 5000 + 1, 'bulk_user', ${now}
      from generate_series(1, ${count}) as i`.execute(db);
    await sql`analyze posts`.execute(db);
  } else {
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})
      insert into posts (title, text, url, community, user_id, username, created_at)
      select 'Post number ' || i, 'Some text', null, ${community(sql`i`)}, i % 5000 + 1, 'bulk_user', ${now} from n`.execute(db);
    await sql`analyze`.execute(db);
  }
  await sql`update communities set post_count = (select count(*) from posts where posts.community = communities.name)`.execute(db);
}

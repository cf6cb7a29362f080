// The data check: after a run, the system must hold exactly what the users were told — every
// acknowledged post, vote, message and submission, nothing doubled, deleted things gone, tallies
// equal to the users' last votes, karma and scores converged through the outbox.
import { type Client, listAll, sleep } from './client.js';
import type { Ledger, VirtualUser } from './ledger.js';

export interface CheckResult {
  mismatches: string[];
  /** Seconds after the run until karma and scores matched (outbox delivery). */
  convergedAfter: { karma?: number; scores?: number };
  checked: Record<string, number>;
}

/** Runs `fn` over items with a few in flight at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const sameSet = (a: number[], b: number[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

function describeSets(what: string, got: number[], want: number[]): string {
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  const missing = want.filter((id) => !gotSet.has(id));
  const extra = got.filter((id) => !wantSet.has(id));
  const doubled = got.filter((id, i) => got.indexOf(id) !== i);
  return `${what}: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]${doubled.length ? `, listed twice [${doubled.join(', ')}]` : ''}`;
}

/** Fresh tokens for the check (a long run outlives access tokens). */
async function refreshTokens(call: Client, users: VirtualUser[], mismatches: string[]) {
  await eachLimited(users, 8, async (user) => {
    const login = await call({
      step: 'check: login',
      method: 'POST',
      path: '/auth/login',
      json: { username: user.username, password: user.password },
      expect: 200,
    });
    if (login.ok) user.token = login.body.access_token;
    else mismatches.push(`user ${user.username} cannot log in after the run: ${login.status} ${login.text}`);
  });
}

export async function checkData(call: Client, ledger: Ledger, options: { convergeTimeoutMs: number }): Promise<CheckResult> {
  const mismatches: string[] = [...ledger.doubled, ...ledger.wrongGrades];
  const checked: Record<string, number> = {};
  const convergedAfter: CheckResult['convergedAfter'] = {};
  const started = performance.now();
  await refreshTokens(call, ledger.users, mismatches);

  // Posts: every acknowledged one is there as written; deleted ones are gone.
  const posts = [...ledger.posts.values()];
  await eachLimited(posts, 8, async (post) => {
    const reply = await call({ step: 'check: GET /posts/{id}', path: `/posts/${post.id}`, expect: post.deleted ? 404 : 200 });
    if (!reply.ok) {
      mismatches.push(
        `post ${post.id} (${post.deleted ? 'deleted' : 'acknowledged'}): GET answered ${reply.status} ${reply.text.slice(0, 200)}`,
      );
    } else if (!post.deleted) {
      const body = reply.body;
      if (body.title !== post.title || body.text !== post.text || body.community !== post.community || body.user_id !== post.authorId) {
        mismatches.push(`post ${post.id} differs from what was acknowledged: ${reply.text.slice(0, 300)}`);
      }
    }
  });
  checked.posts = posts.length;

  // Each run's communities list exactly the posts that were created and not deleted, once each.
  const communities = new Set(posts.map((post) => post.community));
  for (const community of communities) {
    const listed = await listAll(call, 'check: GET /communities/{name}/posts', `/communities/${community}/posts?limit=100`);
    const want = posts.filter((post) => post.community === community && !post.deleted).map((post) => post.id);
    if (!listed) mismatches.push(`community ${community}: listing failed`);
    else if (
      !sameSet(
        listed.map((post) => post.id),
        want,
      )
    )
      mismatches.push(
        describeSets(
          `community ${community}`,
          listed.map((post) => post.id),
          want,
        ),
      );
  }

  // Tallies equal the users' last votes.
  const tallies = ledger.expectedTallies();
  await eachLimited([...tallies], 8, async ([postId, want]) => {
    const reply = await call({ step: 'check: GET /votes/{id}', path: `/votes/${postId}`, expect: 200 });
    if (reply.ok && (reply.body.upvotes !== want.upvotes || reply.body.downvotes !== want.downvotes)) {
      mismatches.push(
        `post ${postId}: tally ${reply.body.upvotes} up / ${reply.body.downvotes} down, the users' last votes say ${want.upvotes} / ${want.downvotes}`,
      );
    }
  });
  checked.tallies = tallies.size;
  checked.votes = ledger.votes.size;

  // Messages: each party's boxes hold exactly its messages not deleted by it, with its favourite flag.
  await eachLimited(ledger.users, 8, async (user) => {
    for (const box of ['inbox', 'sent'] as const) {
      const party = box === 'inbox' ? 'to' : 'from';
      const want = [...ledger.messages.values()].filter((m) => m[party].id === user.id && !m.deleted[party]);
      const listed = await listAll(call, 'check: GET /messages', `/messages?box=${box}&limit=100`, user.token);
      if (!listed) {
        mismatches.push(`${user.username}'s ${box}: listing failed`);
        continue;
      }
      const ids = listed.map((m) => m.id as number);
      if (
        !sameSet(
          ids,
          want.map((m) => m.id),
        )
      )
        mismatches.push(
          describeSets(
            `${user.username}'s ${box}`,
            ids,
            want.map((m) => m.id),
          ),
        );
      const byId = new Map(listed.map((m) => [m.id as number, m]));
      for (const message of want) {
        const got = byId.get(message.id);
        if (got && (got.content !== message.content || got.favorite !== message.favorite[party])) {
          mismatches.push(
            `message ${message.id} in ${user.username}'s ${box}: ${JSON.stringify(got).slice(0, 300)}, expected favorite ${message.favorite[party]}`,
          );
        }
      }
    }
  });
  checked.messages = ledger.messages.size;

  // Submissions: each user's list per exercise holds exactly the acknowledged ones.
  const scoreEntries = [...ledger.scores];
  const byId = new Map(ledger.users.map((user) => [user.id, user]));
  await eachLimited(scoreEntries, 8, async ([key, score]) => {
    const [userId, exerciseId] = key.split(':').map(Number);
    const user = byId.get(userId as number) as VirtualUser;
    const listed = await listAll(
      call,
      'check: GET /exercises/{id}/submissions',
      `/exercises/${exerciseId}/submissions?limit=100`,
      user.token,
    );
    const ids = listed?.map((submission) => submission.id as number) ?? [];
    if (!listed || !sameSet(ids, score.submissionIds))
      mismatches.push(describeSets(`${user.username}'s submissions to exercise ${exerciseId}`, ids, score.submissionIds));
  });
  checked.submissions = scoreEntries.reduce((sum, [, score]) => sum + score.submissionIds.length, 0);

  // Karma and scores travel through the outbox: wait for them to converge, then compare.
  const karma = ledger.expectedKarma();
  const karmaMismatches = async () => {
    const wrong: string[] = [];
    await eachLimited(ledger.users, 8, async (user) => {
      const reply = await call({ step: 'check: GET /users/{id}', path: `/users/${user.id}`, expect: 200 });
      const want = karma.get(user.id) ?? 0;
      if (reply.ok && reply.body.karma !== want) wrong.push(`${user.username}: karma ${reply.body.karma}, the votes imply ${want}`);
    });
    return wrong;
  };
  const scoreMismatches = async () => {
    const wrong: string[] = [];
    await eachLimited(ledger.users, 8, async (user) => {
      const listed = await listAll(call, 'check: GET /scores', `/scores?user_id=${user.id}&limit=100`);
      if (!listed) return void wrong.push(`${user.username}: listing scores failed`);
      const got = new Map(listed.map((score) => [score.exercise_id as number, score]));
      for (const [key, want] of ledger.scores) {
        const [userId, exerciseId] = key.split(':').map(Number);
        if (userId !== user.id) continue;
        const score = got.get(exerciseId as number);
        if (!score || score.attempts !== want.attempts || Boolean(score.correct) !== want.correct) {
          wrong.push(
            `${user.username} on exercise ${exerciseId}: score ${score ? `attempts ${score.attempts}, correct ${score.correct}` : 'missing'}, the submissions imply attempts ${want.attempts}, correct ${want.correct}`,
          );
        }
        got.delete(exerciseId as number);
      }
      for (const score of got.values()) wrong.push(`${user.username}: a score for exercise ${score.exercise_id} nobody submitted to`);
    });
    return wrong;
  };
  for (const [name, find] of [
    ['karma', karmaMismatches],
    ['scores', scoreMismatches],
  ] as const) {
    const deadline = performance.now() + options.convergeTimeoutMs;
    let wrong = await find();
    while (wrong.length > 0 && performance.now() < deadline) {
      await sleep(500);
      wrong = await find();
    }
    if (wrong.length === 0) convergedAfter[name] = (performance.now() - started) / 1000;
    else mismatches.push(...wrong.map((line) => `${name} did not converge in ${options.convergeTimeoutMs / 1000} s: ${line}`));
  }
  checked.users = ledger.users.length;
  return { mismatches, convergedAfter, checked };
}

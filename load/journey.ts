// The virtual user: what people do on Codeyard, weighted like real traffic (reads ≫ writes), with
// think times, ~10 % negative calls that must answer the right 4xx, and every acknowledged write
// written down in the ledger for the data check.
import type { Client, Random } from './client.js';
import type { Ledger, MessageRecord, VirtualUser } from './ledger.js';

export interface Exercise {
  id: number;
  title: string;
  language: string;
  right: string;
  wrong: string;
}

export interface JourneyContext {
  call: Client;
  ledger: Ledger;
  exercises: Exercise[];
  communities: string[];
  tag: string;
  password: string;
}

const DIRECTION = { up: 1, down: -1, none: 0 } as const;
/** An id that no object has: far above anything a run creates. */
const MISSING_ID = 2_000_000_000;
/** The users service's default `REFRESH_REUSE_GRACE_SECONDS` (decision 006); the load system keeps it. */
const REUSE_GRACE_MS = 10_000;

export async function registerAndLogIn(ctx: JourneyContext, index: number): Promise<VirtualUser | undefined> {
  const { call, tag, password } = ctx;
  const username = `lu${tag}_${index}`;
  const registered = await call({
    step: 'register',
    method: 'POST',
    path: '/auth/register',
    json: { username, email: `${username}@load.test`, password },
    expect: 201,
  });
  if (!registered.ok) return undefined;
  const login = await call({ step: 'login', method: 'POST', path: '/auth/login', json: { username, password }, expect: 200 });
  if (!login.ok) return undefined;
  // The id from the profile: a registration retried during a fault answers 409, not the user.
  const profile = await call({ step: 'GET /auth/status', path: '/auth/status', token: login.body.access_token, expect: 200 });
  const id = registered.body?.id ?? (profile.ok ? profile.body.id : undefined);
  if (typeof id !== 'number') return undefined;
  const user: VirtualUser = {
    index,
    id,
    username,
    password,
    token: login.body.access_token,
    refreshToken: login.body.refresh_token,
    spentRefreshTokens: [],
  };
  ctx.ledger.users.push(user);
  return user;
}

async function logIn(call: Client, user: VirtualUser) {
  const login = await call({
    step: 'login',
    method: 'POST',
    path: '/auth/login',
    json: { username: user.username, password: user.password },
    expect: 200,
  });
  if (login.ok) {
    user.token = login.body.access_token;
    user.refreshToken = login.body.refresh_token;
  }
}

type Action = (ctx: JourneyContext, user: VirtualUser, random: Random) => Promise<unknown>;

const idempotencyKey = (random: Random) => `load-${Date.now().toString(36)}-${random.int(1e9).toString(36)}`;

/** The messages the user is a party of and has not deleted. */
const myMessages = (ledger: Ledger, user: VirtualUser) =>
  [...ledger.messages.values()].filter((m) => {
    const party = partyOf(m, user);
    return party !== undefined && !m.deleted[party];
  });

function partyOf(message: MessageRecord, user: VirtualUser): 'from' | 'to' | undefined {
  if (message.from.id === user.id) return 'from';
  if (message.to.id === user.id) return 'to';
  return undefined;
}

const actions: Record<string, { weight: number; run: Action }> = {
  // ---- reads --------------------------------------------------------------------------------
  feed: {
    weight: 16,
    run: ({ call }, user, random) =>
      call({
        step: 'GET /posts',
        path: `/posts?limit=${random.pick([10, 25, 50])}`,
        token: random.chance(0.5) ? user.token : undefined,
        expect: 200,
      }),
  },
  communities: { weight: 4, run: ({ call }) => call({ step: 'GET /communities', path: '/communities', expect: 200 }) },
  communityFeed: {
    weight: 8,
    run: async ({ call, communities }, _user, random) => {
      const page = await call({
        step: 'GET /communities/{name}/posts',
        path: `/communities/${random.pick(communities)}/posts?limit=25`,
        expect: [200, 404],
      });
      // A community exists once someone posted in it; follow the next page now and then.
      const next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
      if (next && random.chance(0.3)) await call({ step: 'GET /communities/{name}/posts (next page)', path: next, expect: 200 });
    },
  },
  openPost: {
    weight: 14,
    run: async ({ call, ledger }, _user, random) => {
      const post = random.pick(ledger.votable);
      if (!post) return;
      await call({ step: 'GET /posts/{id}', path: `/posts/${post.id}`, expect: 200 });
      await call({ step: 'GET /votes/{id}', path: `/votes/${post.id}`, expect: 200 });
    },
  },
  topPosts: {
    weight: 4,
    run: ({ call, communities }, _user, random) =>
      call({
        step: 'GET /votes/top',
        path: `/votes/top?limit=10${random.chance(0.5) ? `&community=${random.pick(communities)}` : ''}`,
        expect: 200,
      }),
  },
  rank: {
    weight: 2,
    run: ({ call, ledger }, _user, random) =>
      call({
        step: 'POST /votes/rank',
        method: 'POST',
        path: '/votes/rank',
        json: { post_ids: Array.from({ length: 10 }, () => random.pick(ledger.votable)?.id ?? 1) },
        expect: 200,
      }),
  },
  inbox: {
    weight: 6,
    run: ({ call }, user, random) =>
      call({
        step: 'GET /messages',
        path: `/messages?box=${random.chance(0.7) ? 'inbox' : 'sent'}&limit=25`,
        token: user.token,
        expect: 200,
      }),
  },
  exercises: {
    weight: 4,
    run: ({ call }, _user, random) =>
      call({
        step: 'GET /exercises',
        path: `/exercises?limit=25${random.chance(0.3) ? `&language=${random.pick(['python', 'javascript', 'typescript'])}` : ''}`,
        expect: 200,
      }),
  },
  openExercise: {
    weight: 3,
    run: ({ call, exercises }, _user, random) =>
      call({ step: 'GET /exercises/{id}', path: `/exercises/${random.pick(exercises)?.id}`, expect: 200 }),
  },
  leaderboard: {
    weight: 3,
    run: ({ call }) => call({ step: 'GET /scores/leaderboard', path: '/scores/leaderboard?limit=20', expect: 200 }),
  },
  myScores: {
    weight: 2,
    run: ({ call }, user) => call({ step: 'GET /scores/user', path: '/scores/user', token: user.token, expect: 200 }),
  },
  mySubmissions: {
    weight: 1,
    run: ({ call, exercises }, user, random) =>
      call({
        step: 'GET /exercises/{id}/submissions',
        path: `/exercises/${random.pick(exercises)?.id}/submissions`,
        token: user.token,
        expect: 200,
      }),
  },
  status: { weight: 2, run: ({ call }, user) => call({ step: 'GET /auth/status', path: '/auth/status', token: user.token, expect: 200 }) },
  users: {
    weight: 1,
    run: ({ call, ledger }, _user, random) =>
      call({ step: 'GET /users/{id}', path: `/users/${random.pick(ledger.users)?.id}`, expect: 200 }),
  },

  // ---- writes -------------------------------------------------------------------------------
  refresh: {
    weight: 2,
    run: async ({ call }, user) => {
      const reply = await call({
        step: 'POST /auth/refresh',
        method: 'POST',
        path: '/auth/refresh',
        json: { refresh_token: user.refreshToken },
        expect: 200,
      });
      if (reply.ok) {
        user.token = reply.body.access_token;
        user.refreshToken = reply.body.refresh_token;
      } else {
        // Not answered (a fault): the refresh token may be spent, so sign in again.
        await logIn(call, user);
      }
    },
  },
  relogin: {
    weight: 1,
    run: async ({ call }, user) => {
      await call({
        step: 'POST /auth/logout',
        method: 'POST',
        path: '/auth/logout',
        token: user.token,
        json: { refresh_token: user.refreshToken },
        expect: 200,
      });
      await logIn(call, user);
    },
  },
  post: {
    weight: 5,
    run: async ({ call, ledger, communities }, user, random) => {
      const body = {
        title: `Load post ${random.int(1e6)} by ${user.username}`,
        text: `Written during a load run. ${'Lorem ipsum dolor sit amet. '.repeat(1 + random.int(20))}`,
        community: random.pick(communities) as string,
        ...(random.chance(0.3) && { url: `https://example.com/${random.int(1e6)}` }),
      };
      // Now and then the answer is "lost" and the user sends it again with the same key: one post.
      const resend = random.chance(0.2);
      const headers = resend ? { 'idempotency-key': idempotencyKey(random) } : undefined;
      const created = await call({
        step: 'POST /posts',
        method: 'POST',
        path: '/posts',
        token: user.token,
        json: body,
        headers,
        expect: 201,
      });
      if (!created.ok) return;
      ledger.addPost({ id: created.body.id, authorId: user.id, ...body, deletable: random.chance(0.3), deleted: false });
      if (resend) {
        const again = await call({
          step: 'POST /posts (same Idempotency-Key)',
          method: 'POST',
          path: '/posts',
          token: user.token,
          json: body,
          headers,
          expect: 201,
        });
        if (again.ok && again.body.id !== created.body.id) {
          ledger.addPost({ id: again.body.id, authorId: user.id, ...body, deletable: true, deleted: false });
          ledger.doubled.push(`POST /posts with one Idempotency-Key created posts ${created.body.id} and ${again.body.id}`);
        }
      }
    },
  },
  deletePost: {
    weight: 2,
    run: async ({ call, ledger }, user) => {
      const post = [...ledger.posts.values()].find((p) => p.authorId === user.id && p.deletable && !p.deleted);
      if (!post) return;
      const reply = await call({ step: 'DELETE /posts/{id}', method: 'DELETE', path: `/posts/${post.id}`, token: user.token, expect: 200 });
      if (reply.ok) post.deleted = true;
    },
  },
  vote: {
    weight: 10,
    run: async ({ call, ledger }, user, random) => {
      const post = random.pick(ledger.votable);
      if (!post) return;
      const direction = random.pick(['up', 'up', 'up', 'down', 'none'] as const) as keyof typeof DIRECTION;
      const viaShortcut = direction !== 'none' && random.chance(0.3);
      const reply = viaShortcut
        ? await call({
            step: `POST /votes/{id}/${direction}vote`,
            method: 'POST',
            path: `/votes/${post.id}/${direction}vote`,
            token: user.token,
            expect: 200,
          })
        : await call({
            step: 'PUT /votes/{id}',
            method: 'PUT',
            path: `/votes/${post.id}`,
            token: user.token,
            json: { direction },
            expect: 200,
          });
      if (reply.ok) ledger.votes.set(`${user.id}:${post.id}`, DIRECTION[direction]);
    },
  },
  message: {
    weight: 4,
    run: async ({ call, ledger }, user, random) => {
      const to = random.pick(ledger.users.filter((other) => other.id !== user.id));
      if (!to) return;
      const content = `Hello ${to.username}, ${'shall we pair on an exercise? '.repeat(1 + random.int(5))}`;
      const reply = await call({
        step: 'POST /messages',
        method: 'POST',
        path: '/messages',
        token: user.token,
        json: { to: to.username, content },
        expect: 201,
      });
      if (reply.ok) {
        ledger.messages.set(reply.body.id, {
          id: reply.body.id,
          from: user,
          to,
          content,
          favorite: { from: false, to: false },
          deleted: { from: false, to: false },
        });
      }
    },
  },
  favorite: {
    weight: 2,
    run: async ({ call, ledger }, user, random) => {
      const message = random.pick(myMessages(ledger, user));
      if (!message) return;
      const party = partyOf(message, user) as 'from' | 'to';
      const want = !message.favorite[party];
      const reply = await call({
        step: `${want ? 'PUT' : 'DELETE'} /messages/{id}/favorite`,
        method: want ? 'PUT' : 'DELETE',
        path: `/messages/${message.id}/favorite`,
        token: user.token,
        expect: 200,
      });
      if (reply.ok) message.favorite[party] = want;
    },
  },
  deleteMessage: {
    weight: 1,
    run: async ({ call, ledger }, user, random) => {
      const message = random.pick(myMessages(ledger, user));
      if (!message) return;
      const reply = await call({
        step: 'DELETE /messages/{id}',
        method: 'DELETE',
        path: `/messages/${message.id}`,
        token: user.token,
        expect: 200,
      });
      if (reply.ok) message.deleted[partyOf(message, user) as 'from' | 'to'] = true;
    },
  },
  submit: {
    weight: 3,
    run: async ({ call, ledger, exercises }, user, random) => {
      const exercise = random.pick(exercises);
      if (!exercise) return;
      const right = random.chance(0.6);
      const reply = await call({
        step: `POST /exercises/{id}/submissions (${exercise.language})`,
        method: 'POST',
        path: `/exercises/${exercise.id}/submissions`,
        token: user.token,
        json: { code: right ? exercise.right : exercise.wrong },
        expect: 201,
      });
      if (!reply.ok) return;
      const passed = reply.body.status === 'passed' && reply.body.passed === reply.body.total;
      if (right && !passed)
        ledger.wrongGrades.push(
          `the reference solution of "${exercise.title}" was graded ${reply.body.status}: ${reply.text.slice(0, 300)}`,
        );
      ledger.recordSubmission(user.id, exercise.id, reply.body.id, passed);
    },
  },

  // ---- negative calls (about 10 % of the traffic): each must answer its 4xx and change nothing ----
  negative: {
    weight: 10,
    run: async (ctx, user, random) => {
      const { call, ledger, exercises } = ctx;
      const other = ledger.votable.find((post) => post.authorId !== user.id);
      const foreignMessage = [...ledger.messages.values()].find((m) => partyOf(m, user) === undefined);
      const cases: Array<() => Promise<unknown>> = [
        () => call({ step: 'neg: GET missing post', path: `/posts/${MISSING_ID}`, expect: 404 }),
        () =>
          call({
            step: 'neg: POST /posts without token',
            method: 'POST',
            path: '/posts',
            json: { title: 't', text: 't', community: ctx.communities[0] },
            expect: 401,
          }),
        () =>
          call({
            step: 'neg: POST /posts empty title',
            method: 'POST',
            path: '/posts',
            token: user.token,
            json: { title: '', text: 't', community: ctx.communities[0] },
            expect: 400,
          }),
        () =>
          call({
            step: 'neg: POST /posts bad JSON',
            method: 'POST',
            path: '/posts',
            token: user.token,
            body: '{"title": ',
            headers: { 'content-type': 'application/json' },
            expect: 400,
          }),
        () =>
          call({
            step: 'neg: PUT vote sideways',
            method: 'PUT',
            path: `/votes/${other?.id ?? 1}`,
            token: user.token,
            json: { direction: 'sideways' },
            expect: 400,
          }),
        () =>
          call({
            step: 'neg: message unknown user',
            method: 'POST',
            path: '/messages',
            token: user.token,
            json: { to: `nobody_${ctx.tag}`, content: 'hi' },
            expect: 409,
          }),
        () => call({ step: 'neg: GET /posts?limit=1000', path: '/posts?limit=1000', expect: 400 }),
        () =>
          call({
            step: 'neg: login wrong password',
            method: 'POST',
            path: '/auth/login',
            json: { username: user.username, password: 'not-the-password' },
            expect: 401,
          }),
        () =>
          call({
            step: 'neg: register taken username',
            method: 'POST',
            path: '/auth/register',
            json: { username: user.username, email: `again_${user.username}@load.test`, password: user.password },
            expect: 409,
          }),
        () => call({ step: 'neg: forged token', path: '/auth/status', token: `${user.token.slice(0, -4)}AAAA`, expect: 401 }),
        () =>
          call({
            step: 'neg: submit to missing exercise',
            method: 'POST',
            path: `/exercises/${MISSING_ID}/submissions`,
            token: user.token,
            json: { code: 'x' },
            expect: 404,
          }),
        () =>
          call({
            step: 'neg: create exercise as user',
            method: 'POST',
            path: '/exercises',
            token: user.token,
            json: { title: 'x' },
            expect: [400, 403],
          }),
        () =>
          other
            ? call({
                step: "neg: DELETE someone else's post",
                method: 'DELETE',
                path: `/posts/${other.id}`,
                token: user.token,
                expect: 403,
              })
            : Promise.resolve(),
        () =>
          foreignMessage
            ? call({ step: "neg: GET someone else's message", path: `/messages/${foreignMessage.id}`, token: user.token, expect: 404 })
            : Promise.resolve(),
        () => {
          const submission = [...ledger.scores.entries()].find(([key]) => !key.startsWith(`${user.id}:`))?.[1].submissionIds[0];
          return submission
            ? call({ step: "neg: GET someone else's submission", path: `/submissions/${submission}`, token: user.token, expect: 404 })
            : Promise.resolve();
        },
        () => call({ step: 'neg: GET /exercises/abc', path: '/exercises/abc', expect: 400 }),
        () => call({ step: 'neg: messages without token', path: '/messages', expect: 401 }),
        () =>
          call({
            step: 'neg: POST /posts text/plain',
            method: 'POST',
            path: '/posts',
            token: user.token,
            body: 'hello',
            headers: { 'content-type': 'text/plain' },
            expect: 415,
          }),
        async () => {
          // A spent refresh token replayed after the reuse grace window is theft: 401, and that
          // login is revoked. Within the window (a second tab) it gets a fresh pair instead.
          const stale = user.spentRefreshTokens.findIndex((t) => Date.now() - t.spentAt > REUSE_GRACE_MS + 1000);
          if (stale >= 0) {
            const [spent] = user.spentRefreshTokens.splice(stale, 1);
            await call({
              step: 'neg: replay spent refresh token',
              method: 'POST',
              path: '/auth/refresh',
              json: { refresh_token: spent?.token },
              expect: 401,
            });
            return;
          }
          // A second login of the same user: refresh it, replay at once (grace), keep it for later.
          const login = await call({
            step: 'login',
            method: 'POST',
            path: '/auth/login',
            json: { username: user.username, password: user.password },
            expect: 200,
          });
          if (!login.ok) return;
          const refreshed = await call({
            step: 'POST /auth/refresh',
            method: 'POST',
            path: '/auth/refresh',
            json: { refresh_token: login.body.refresh_token },
            expect: 200,
          });
          if (!refreshed.ok) return;
          const spentAt = Date.now();
          const again = await call({
            step: 'POST /auth/refresh (reuse within grace)',
            method: 'POST',
            path: '/auth/refresh',
            json: { refresh_token: login.body.refresh_token },
            expect: 200,
          });
          if (again.ok && Date.now() - spentAt < REUSE_GRACE_MS) {
            user.spentRefreshTokens.push({ token: login.body.refresh_token, spentAt });
          }
        },
      ];
      if (exercises.length === 0) cases.splice(10, 1);
      await (random.pick(cases) as () => Promise<unknown>)();
    },
  },
};

const entries = Object.entries(actions);
const totalWeight = entries.reduce((sum, [, action]) => sum + action.weight, 0);

function pickAction(random: Random): [string, Action] {
  let roll = random.next() * totalWeight;
  for (const [name, action] of entries) {
    roll -= action.weight;
    if (roll < 0) return [name, action.run];
  }
  const [name, action] = entries[entries.length - 1] as [string, { run: Action }];
  return [name, action.run];
}

/** One virtual user: signs up, then acts and thinks until the deadline. */
export async function runVirtualUser(
  ctx: JourneyContext,
  index: number,
  options: { deadline: number; thinkMs: number; random: Random },
): Promise<void> {
  const { deadline, thinkMs, random } = options;
  const user = await registerAndLogIn(ctx, index);
  if (!user) return;
  const think = () => new Promise((done) => setTimeout(done, thinkMs * (0.5 + random.next())));
  while (Date.now() < deadline) {
    const [, run] = pickAction(random);
    await run(ctx, user, random);
    await think();
  }
}

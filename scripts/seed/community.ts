// The community half of the sample data: people, communities with posts about programming, votes
// (which move the authors' karma through the votes service's outbox) and a few messages. Everything
// goes through the public API, and every step first looks for what a previous run created, so
// running it again creates nothing twice.

export interface SeedContext {
  baseUrl: string;
  adminToken: string;
  log: (line: string) => void;
}

interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The contract's JSON, as the seed reads it. */
  body: any;
}

/** JSON over HTTP to `/api/v1`; waits and retries on 429 and 503 (the gateway's rate limits, a service starting). */
export async function call(
  ctx: Pick<SeedContext, 'baseUrl'>,
  path: string,
  request: { method?: string; json?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  for (let attempt = 1; ; attempt += 1) {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const response = await fetch(`${ctx.baseUrl}${path.startsWith('/api/') ? '' : '/api/v1'}${path}`, {
      method: request.method ?? 'GET',
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    if ((response.status === 429 || response.status === 503) && attempt < 8) {
      const waitSeconds = Math.min(Number(response.headers.get('retry-after')) || 2, 30);
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
      continue;
    }
    return { status: response.status, headers: response.headers, body };
  }
}

function expectStatus(answer: ApiAnswer, expected: number[], what: string): ApiAnswer {
  if (!expected.includes(answer.status)) {
    throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return answer;
}

/** Every item of a list endpoint, following `Link: rel="next"`. */
async function listAll(ctx: SeedContext, path: string, token?: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | undefined = path;
  while (next) {
    const page = await call(ctx, next, { token });
    if (page.status === 404) return items;
    expectStatus(page, [200], `GET ${next}`);
    items.push(...(page.body as unknown[]));
    next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
  }
  return items;
}

const SEED_PASSWORD = process.env.SEED_USER_PASSWORD ?? 'codeyard-sample-password';

export const PEOPLE = [
  { username: 'ada_writes_code', email: 'ada@sample.codeyard.local' },
  { username: 'ben_on_backend', email: 'ben@sample.codeyard.local' },
  { username: 'chen_wei', email: 'chen@sample.codeyard.local' },
  { username: 'dana_devops', email: 'dana@sample.codeyard.local' },
  { username: 'emeka_builds', email: 'emeka@sample.codeyard.local' },
  { username: 'farah_k', email: 'farah@sample.codeyard.local' },
  { username: 'gus_rustacean', email: 'gus@sample.codeyard.local' },
  { username: 'hana_py', email: 'hana@sample.codeyard.local' },
] as const;
type Username = (typeof PEOPLE)[number]['username'];

interface SeedPost {
  author: Username;
  community: string;
  title: string;
  text: string;
  url?: string;
}

export const POSTS: SeedPost[] = [
  // javascript
  {
    author: 'ada_writes_code',
    community: 'javascript',
    title: 'Why does my setTimeout in a for loop print the same number five times?',
    text: 'for (var i = 0; i < 5; i++) setTimeout(() => console.log(i), 0) prints 5 five times. Switching to let fixes it, but I would like to understand why: is it the closure or the event loop?',
  },
  {
    author: 'ben_on_backend',
    community: 'javascript',
    title: 'Structured clone is in every runtime now: stop using JSON.parse(JSON.stringify(x))',
    text: 'structuredClone keeps Dates, Maps, Sets, typed arrays and cycles. The JSON trick silently turns Dates into strings and drops undefined.',
    url: 'https://developer.mozilla.org/en-US/docs/Web/API/Window/structuredClone',
  },
  {
    author: 'farah_k',
    community: 'javascript',
    title: 'Array.prototype.sort without a comparator sorts numbers as strings',
    text: '[10, 9, 1].sort() gives [1, 10, 9]. Always pass (a, b) => a - b for numbers. Bit me in a leaderboard today.',
  },
  {
    author: 'emeka_builds',
    community: 'javascript',
    title: 'What finally made async/await click for me',
    text: 'An async function returns a promise, always. await pauses only that function, not the program. Once I drew the call stack and the microtask queue on paper, the ordering puzzles stopped being puzzles.',
  },
  {
    author: 'chen_wei',
    community: 'javascript',
    title: 'TypeScript: prefer unknown over any at the edges of your program',
    text: 'JSON.parse returns any, which spreads. Annotate it as unknown and validate with a schema: the compiler then forces you to check before you use it.',
  },
  {
    author: 'ada_writes_code',
    community: 'javascript',
    title: 'Is it worth learning the DOM API before picking a framework?',
    text: 'Beginner here. Everyone says "just learn React", but the exercises here use plain functions. Did you learn vanilla JS first?',
  },
  // python
  {
    author: 'hana_py',
    community: 'python',
    title: 'Mutable default arguments: the bug every Python developer writes once',
    text: 'def add(item, bucket=[]) shares one list across calls, because defaults are evaluated once, at definition time. Use bucket=None and create the list inside.',
  },
  {
    author: 'chen_wei',
    community: 'python',
    title: 'List comprehension or generator expression?',
    text: 'sum(x * x for x in data) never builds the list. Use brackets when you need the list itself (indexing, len, iterating twice), parentheses when you just stream through it.',
  },
  {
    author: 'dana_devops',
    community: 'python',
    title: 'Virtual environments in 2025: venv, uv or poetry?',
    text: 'Our team moved from poetry to uv for speed. venv + pip is still the thing that works everywhere. What do you use for small scripts?',
    url: 'https://docs.python.org/3/library/venv.html',
  },
  {
    author: 'hana_py',
    community: 'python',
    title: 'The reverse-a-string exercise has a one-line answer, but try it with a loop first',
    text: 'text[::-1] is idiomatic. Writing it with a loop and an index teaches you ranges, off-by-one errors and why strings are immutable.',
  },
  {
    author: 'ben_on_backend',
    community: 'python',
    title: 'f-strings can call functions and format numbers',
    text: 'f"{total:,.2f}" gives 1,234.50 and f"{name!r}" shows quotes. And since 3.8, f"{x=}" prints the expression and its value: great for debugging.',
  },
  {
    author: 'gus_rustacean',
    community: 'python',
    title: 'Why is my recursive factorial hitting RecursionError at 1000?',
    text: 'CPython limits recursion depth to about 1000 frames. For factorial, a loop or math.factorial is the real answer; raising the limit only moves the crash.',
  },
  // rust
  {
    author: 'gus_rustacean',
    community: 'rust',
    title: 'The borrow checker is a pair programmer that never gets tired',
    text: 'Three months in: most fights with the borrow checker were real bugs, like holding a reference into a Vec while pushing to it.',
  },
  {
    author: 'dana_devops',
    community: 'rust',
    title: 'Rust Book chapter 4 finally made ownership make sense',
    text: 'Moves, borrows and the stack-versus-heap pictures. If you bounced off ownership before, read it again slowly.',
    url: 'https://doc.rust-lang.org/book/ch04-00-understanding-ownership.html',
  },
  {
    author: 'emeka_builds',
    community: 'rust',
    title: 'When should I reach for Rc<RefCell<T>>?',
    text: 'I keep ending up with Rc<RefCell<Node>> for a graph. Is that a smell, or is it what everyone does? Arena with indices seems to be the other option.',
  },
  {
    author: 'gus_rustacean',
    community: 'rust',
    title: 'Result and the ? operator beat exceptions for me',
    text: 'Errors are values in the signature, and ? keeps the happy path readable. The only thing I miss is stack traces, which anyhow mostly fixes.',
  },
  {
    author: 'chen_wei',
    community: 'rust',
    title: 'cargo clippy -- -W clippy::pedantic is a free code review',
    text: 'Half of the suggestions are taste, the other half taught me idioms I did not know existed.',
  },
  {
    author: 'farah_k',
    community: 'rust',
    title: 'Is Rust a good first systems language for a web developer?',
    text: 'I know TypeScript well. Rust or Go for my first compiled language? I care about learning how memory works, not about getting a job next month.',
  },
  // career
  {
    author: 'farah_k',
    community: 'career',
    title: 'How I prepared for my first technical interview',
    text: 'Forty exercises, a notebook of patterns (two pointers, hash map counting, BFS) and three mock interviews with friends. Talking out loud was the hardest part.',
  },
  {
    author: 'dana_devops',
    community: 'career',
    title: "Reading other people's code is a skill you can practise",
    text: 'Pick a small library you use, clone it, and answer one question: what happens when I call this function? Do that weekly. It compounds.',
  },
  {
    author: 'ben_on_backend',
    community: 'career',
    title: 'Write the README before the code',
    text: 'If you cannot explain how to run it and what it does in ten lines, the design is not done yet. Works for side projects and for work.',
  },
  {
    author: 'ada_writes_code',
    community: 'career',
    title: 'Impostor syndrome after my first code review',
    text: '47 comments on a 200-line pull request. My mentor said that is normal and that the comments are the point. How did you get through your first ones?',
  },
  {
    author: 'emeka_builds',
    community: 'career',
    title: 'Side projects that actually helped me get hired',
    text: 'Not the clever ones: the ones with tests, a deploy, a README and a story about a bug I fixed. Interviewers asked about the bug every time.',
  },
  {
    author: 'hana_py',
    community: 'career',
    title: 'Pair programming made me a better engineer than any course',
    text: 'You see how someone else searches, debugs and decides. Ask to pair with a senior for an hour a week; most say yes.',
  },
  // algorithms
  {
    author: 'chen_wei',
    community: 'algorithms',
    title: 'Binary search is easy; getting the boundaries right is not',
    text: 'Decide whether your range is [lo, hi) or [lo, hi] and never mix them. Then write the loop invariant as a comment. Off-by-one errors disappear.',
  },
  {
    author: 'gus_rustacean',
    community: 'algorithms',
    title: 'Big-O in practice: why my O(n log n) was slower than O(n²)',
    text: 'For n = 20, constants and cache locality win. Measure before optimising, and remember that n in production may be small.',
  },
  {
    author: 'ada_writes_code',
    community: 'algorithms',
    title: 'Dynamic programming clicked when I wrote the recursion first',
    text: 'Write the plain recursive solution, add a cache, then turn it into a table. Fibonacci, then coin change, then edit distance.',
  },
  {
    author: 'hana_py',
    community: 'algorithms',
    title: "A visual explanation of Dijkstra's algorithm",
    text: 'A priority queue of frontier nodes, always expanding the closest one. Negative edges break the "closest is final" assumption; that is why Bellman-Ford exists.',
    url: 'https://en.wikipedia.org/wiki/Dijkstra%27s_algorithm',
  },
  {
    author: 'dana_devops',
    community: 'algorithms',
    title: 'Hash maps solve half of all interview questions',
    text: 'Two-sum, anagrams, first unique character, subarray sums: a dictionary of what you have seen so far turns O(n²) into O(n).',
  },
  {
    author: 'farah_k',
    community: 'algorithms',
    title: 'Recursion versus iteration for tree traversal',
    text: 'Recursion is clearer; an explicit stack avoids depth limits. Try writing in-order traversal both ways: the iterative version teaches you what the call stack was doing.',
  },
];

/** Who votes how on which post: fixed, so every run asks for the same votes (a repeated vote changes nothing). */
function plannedVotes(postIndex: number, author: Username): { voter: Username; direction: 'up' | 'down' }[] {
  const votes: { voter: Username; direction: 'up' | 'down' }[] = [];
  PEOPLE.forEach((person, personIndex) => {
    if (person.username === author) return;
    const roll = (postIndex * 7 + personIndex * 13) % 10;
    if (roll < 6) votes.push({ voter: person.username, direction: 'up' });
    else if (roll < 7) votes.push({ voter: person.username, direction: 'down' });
  });
  return votes;
}

const MESSAGES: { from: Username; to: Username; content: string }[] = [
  {
    from: 'ada_writes_code',
    to: 'chen_wei',
    content: 'Thanks for the binary search post! Would you look at my solution to the search exercise?',
  },
  {
    from: 'chen_wei',
    to: 'ada_writes_code',
    content: 'Sure, send it over. Write down your loop invariant first, it usually shows the bug.',
  },
  { from: 'gus_rustacean', to: 'farah_k', content: 'If you pick Rust, I am happy to pair on the first few exercises.' },
  { from: 'farah_k', to: 'gus_rustacean', content: 'Deal! Thursday evening?' },
  { from: 'dana_devops', to: 'hana_py', content: 'Which Python version do the exercises run on?' },
  { from: 'hana_py', to: 'dana_devops', content: 'Pyodide, so CPython 3.12 semantics, in a sandbox without network.' },
  { from: 'ben_on_backend', to: 'emeka_builds', content: 'Your side-project post was spot on. Mind if I share it with my mentees?' },
];

export interface CommunitySeedSummary {
  users: { created: number; existing: number };
  posts: { created: number; existing: number };
  votes: { cast: number };
  messages: { created: number; existing: number };
  karma: Record<string, number>;
}

export async function seedCommunity(ctx: SeedContext): Promise<CommunitySeedSummary> {
  const summary: CommunitySeedSummary = {
    users: { created: 0, existing: 0 },
    posts: { created: 0, existing: 0 },
    votes: { cast: 0 },
    messages: { created: 0, existing: 0 },
    karma: {},
  };

  // People: created by the admin unless a user of that name exists; then signed in.
  const people = new Map<Username, { id: number; token: string }>();
  for (const person of PEOPLE) {
    const found = await call(ctx, `/users?username=${person.username}`);
    expectStatus(found, [200], `look up ${person.username}`);
    let id = (found.body as { id: number; username: string }[]).find((u) => u.username.toLowerCase() === person.username)?.id;
    if (id === undefined) {
      const created = expectStatus(
        await call(ctx, '/users', { method: 'POST', token: ctx.adminToken, json: { ...person, password: SEED_PASSWORD } }),
        [201],
        `create ${person.username}`,
      );
      id = created.body.id as number;
      summary.users.created += 1;
    } else {
      summary.users.existing += 1;
    }
    const login = await call(ctx, '/auth/login', { method: 'POST', json: { username: person.username, password: SEED_PASSWORD } });
    if (login.status !== 200) {
      ctx.log(`  ! cannot sign in as ${person.username} (HTTP ${login.status}); its posts, votes and messages are skipped`);
      continue;
    }
    people.set(person.username, { id, token: login.body.access_token as string });
  }

  // Posts: a community's existing posts are listed first; a post with the same author and title is not made again.
  const postIds: { index: number; id: number; author: Username }[] = [];
  const existingByCommunity = new Map<string, Map<string, number>>();
  for (const [index, post] of POSTS.entries()) {
    const author = people.get(post.author);
    if (!author) continue;
    let existing = existingByCommunity.get(post.community);
    if (!existing) {
      existing = new Map();
      for (const item of await listAll(ctx, `/communities/${post.community}/posts?limit=100`)) {
        existing.set(`${item.username}\n${item.title}`, item.id as number);
      }
      existingByCommunity.set(post.community, existing);
    }
    let id = existing.get(`${post.author}\n${post.title}`);
    if (id === undefined) {
      const created = expectStatus(
        await call(ctx, '/posts', {
          method: 'POST',
          token: author.token,
          json: { title: post.title, text: post.text, community: post.community, ...(post.url && { url: post.url }) },
          headers: { 'idempotency-key': `seed-post-${index}` },
        }),
        [201],
        `post "${post.title}"`,
      );
      id = created.body.id as number;
      summary.posts.created += 1;
    } else {
      summary.posts.existing += 1;
    }
    postIds.push({ index, id, author: post.author });
  }

  // Votes: PUT with a direction is idempotent, so a re-run asks for the same votes and changes nothing.
  const expectedKarma = new Map<Username, number>();
  for (const post of postIds) {
    for (const { voter, direction } of plannedVotes(post.index, post.author)) {
      const token = people.get(voter)?.token;
      if (!token) continue;
      expectStatus(
        await call(ctx, `/votes/${post.id}`, { method: 'PUT', token, json: { direction } }),
        [200],
        `${voter} votes ${direction} on post ${post.id}`,
      );
      summary.votes.cast += 1;
    }
    const tally = expectStatus(await call(ctx, `/votes/${post.id}`), [200], `tally of post ${post.id}`).body as { score: number };
    expectedKarma.set(post.author, (expectedKarma.get(post.author) ?? 0) + tally.score);
  }

  // Messages: skipped when the sender's sent box already holds the same text to the same person.
  for (const message of MESSAGES) {
    const sender = people.get(message.from);
    if (!sender || !people.has(message.to)) continue;
    const sentBox = await listAll(ctx, '/messages?box=sent&limit=100', sender.token);
    if (sentBox.some((m) => m.to.toLowerCase() === message.to && m.content === message.content)) {
      summary.messages.existing += 1;
      continue;
    }
    expectStatus(
      await call(ctx, '/messages', { method: 'POST', token: sender.token, json: { to: message.to, content: message.content } }),
      [201],
      `message from ${message.from} to ${message.to}`,
    );
    summary.messages.created += 1;
  }

  // Karma arrives through the votes outbox; wait until each author's karma matches the scores of their posts.
  const deadline = Date.now() + 30_000;
  for (const [username, expected] of expectedKarma) {
    const id = people.get(username)?.id as number;
    let karma: number | undefined;
    for (;;) {
      karma = (await call(ctx, `/users/${id}`)).body.karma as number;
      if (karma === expected || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    summary.karma[username] = karma;
    if (karma !== expected) {
      ctx.log(
        `  ! karma of ${username} is ${karma}, the scores of their posts add up to ${expected} (other votes, or the relay is behind)`,
      );
    }
  }
  return summary;
}

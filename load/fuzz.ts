// npm run fuzz — bogus requests derived from every operation of the OpenAPI document: wrong types,
// missing and extra fields, huge strings and arrays, deeply nested JSON, invalid UTF-8, bad ids
// and cursors, wrong content types, bad and forged tokens, path tricks. Seeded and reproducible.
// Pass mark: no 5xx, every response JSON (errors in the contract's shape), every request that must
// be refused refused, and the objects that existed before unchanged afterwards.
//
//   npm run fuzz                                        10 000 requests on a fresh system (SQLite)
//   TEST_DATABASE_URL=postgres://… npm run fuzz         the fresh system on PostgreSQL
//   npm run fuzz -- --requests 50000 --seed 7 --concurrency 8
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { type Client, loadClient, Recorder, type Random, seededRandom } from './client.js';
import { useSystem } from './system.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    'base-url': { type: 'string' },
  },
});
const REQUESTS = Number(args.requests);
const SEED = Number(args.seed);
const CONCURRENCY = Number(args.concurrency);

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  protected: boolean;
  body?: Schema;
}

const spec = JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};
const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      protected: Array.isArray(op.security) && op.security.length > 0,
      body: op.requestBody?.content?.['application/json']?.schema,
    })),
);

const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop()] ?? {}) : schema);
/** An id no object has, so a request that slips through cannot touch the fixtures. */
const NOBODY = 2_147_480_000;

/** A plausible valid value for a schema (the base the mutations start from). */
function sample(raw: Schema, name = ''): unknown {
  const schema = resolve(raw);
  if (schema.anyOf || schema.oneOf) return sample((schema.anyOf ?? schema.oneOf).find((s: Schema) => s.type !== 'null') ?? {}, name);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out[key] = sample(value, key);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return /id$/.test(name) ? NOBODY : name === 'delta' ? 1 : Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'string': {
      if (schema.format === 'email') return 'fuzz@example.test';
      if (name === 'community') return 'fuzz_zone';
      if (name === 'to') return 'nobody_fuzz';
      if (name === 'entrypoint') return 'f';
      if (name === 'username') return 'fuzz_sample';
      if (name === 'direction') return 'up';
      const text = name.includes('password') ? 'a-good-password' : 'fuzz';
      return text.padEnd(schema.minLength ?? 0, 'z');
    }
    default:
      return {};
  }
}

function requiredFields(raw: Schema | undefined): string[] {
  const schema = raw ? resolve(raw) : {};
  return (schema.required as string[] | undefined) ?? [];
}

function fieldsOf(raw: Schema | undefined): Array<[string, Schema]> {
  const schema = raw ? resolve(raw) : {};
  return Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([key, value]) => [key, resolve(value)]);
}

const WRONG_VALUES: unknown[] = [null, true, 0, -1, 1.5, 'string', '', [], [1, 2], {}, { nested: { deeper: 1 } }, 1e308, '9'.repeat(400)];
const BAD_IDS = [
  'abc',
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '2147483648',
  '99999999999999999999',
  '%00',
  'null',
  'undefined',
  '%ff',
  '%c0%af',
  '..',
  '%2e%2e',
  '1%2F2',
  '1;DROP TABLE posts',
  "1'--",
  '١٢',
  'Infinity',
  '+1',
  ' 1',
  '1 ',
  '%20',
  'NaN',
  `${'9'.repeat(5000)}`,
];
const BAD_QUERIES = [
  'limit=0',
  'limit=101',
  'limit=-5',
  'limit=abc',
  'limit=1e2',
  'limit=1&limit=2',
  'before=garbage',
  'before=',
  `before=${'A'.repeat(5000)}`,
  `before=${Buffer.from('{"id":-1}').toString('base64url')}`,
  `before=${Buffer.from('{"id":"1 or 1=1","created_at":null}').toString('base64url')}`,
  `before=${Buffer.from('[1,2,3]').toString('base64url')}`,
  'before=%ff%fe',
  'box=trash',
  'favorite=maybe',
  'language=cobol',
  'user_id=x',
  'exercise_id=-1',
  'community=NOT VALID!',
  'username=%00',
  '__proto__[admin]=true',
  'limit[]=1',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/jsonx',
  '',
];
const PATH_TRICKS = [
  (p: string) => p.replace('/api/v1/', '/api/v1//'),
  (p: string) => p.replace('/api/v1/', '/api/v1/./'),
  (p: string) => p.replace('/api/v1/', '/api/v1/x/../'),
  (p: string) => p.replace('/api/v1/', '/api/v1/%2e%2e/api/v1/'),
  (p: string) => p.replace('/api/v1/', '/api/v1/..%2f..%2f'),
  (p: string) => `${p}/`,
  (p: string) => `${p}%00`,
  (p: string) => `${p};x=1`,
  (p: string) => p.toUpperCase(),
  (p: string) => p.replace('/api/v1/', '/api/v2/'),
  (p: string) => p.replace(/\/([a-z])/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`),
  (p: string) => `/api/v1/../../../../etc/passwd?${p}`,
  (p: string) => p.replace('/api/v1/', '/api/v1/%5c..%5c'),
];

function deepJson(depth: number, random: Random): string {
  return random.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

interface Fixtures {
  paramValue: (path: string) => string;
  tokens: { user: string; admin: string; throwaway: string };
  forged: string[];
  deactivatedToken: string;
}

interface FuzzRequest {
  category: string;
  method: string;
  path: string;
  token?: string | undefined;
  rawAuthorization?: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** A success would be wrong: the input is invalid or the caller is not who they claim. */
  mustRefuse: boolean;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens an attacker could make: unsigned, re-signed, tampered, truncated, wrong scheme. */
function forgeTokens(userToken: string, adminId: number, jwks: string): string[] {
  const [header, payload] = userToken.split('.');
  const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
  const adminClaims = { ...claims, sub: String(adminId), admin: true, exp: Math.floor(Date.now() / 1000) + 3600 };
  const kid = JSON.parse(Buffer.from(header as string, 'base64url').toString()).kid;
  const hs = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(adminClaims)}`;
  return [
    'Bearer',
    'Bearer ',
    'Bearer garbage',
    'Basic YWRtaW46YWRtaW4=',
    `Bearer ${'a'.repeat(8000)}`,
    `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(adminClaims)}.`,
    `Bearer ${header}.${b64(adminClaims)}.${userToken.split('.')[2]}`,
    `Bearer ${userToken.slice(0, -6)}AAAAAA`,
    `Bearer ${userToken.split('.').slice(0, 2).join('.')}`,
    `Bearer ${hs}.${createHmac('sha256', jwks).update(hs).digest('base64url')}`,
    `bearer  ${userToken}x`,
    `Bearer ${userToken} ${userToken}`,
  ];
}

function makeRequest(op: Operation, random: Random, fx: Fixtures): FuzzRequest {
  const hasBody = op.body !== undefined;
  const required = requiredFields(op.body);
  const fields = fieldsOf(op.body);
  const categories = [
    'badToken',
    'badId',
    'badQuery',
    'pathTrick',
    ...(hasBody ? ['wrongType', 'missing', 'extra', 'huge', 'deep', 'invalidUtf8', 'contentType'] : []),
  ];
  if (!op.path.includes('{')) categories.splice(categories.indexOf('badId'), 1);
  const category = random.pick(categories) as string;
  // Logging out must not end the sessions the other requests use.
  const validToken = op.path.includes('/auth/logout') ? fx.tokens.throwaway : random.chance(0.5) ? fx.tokens.user : fx.tokens.admin;
  const nowhere = op.path.replace(/\{[^}]+\}/g, String(NOBODY));
  const base = hasBody ? (sample(op.body as Schema) as Record<string, unknown>) : undefined;
  const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
  const request = (fields: Partial<FuzzRequest>): FuzzRequest => ({
    category,
    method: op.method,
    path: nowhere,
    token: validToken,
    headers: {},
    mustRefuse: false,
    ...(base !== undefined && json(base)),
    ...fields,
  });

  switch (category) {
    case 'badToken': {
      // The real objects, a body that would work: only the token stands in the way.
      const path = op.path.replace(/\{[^}]+\}/g, () => fx.paramValue(op.path));
      // A deactivated user's token stops working at once on users; other services verify only the
      // signature and accept it until it expires (docs/decisions/002), so it is sent to users only.
      const onUsers = op.path.startsWith('/api/v1/auth/') || op.path.startsWith('/api/v1/users');
      const forged = onUsers && random.chance(0.2) ? `Bearer ${fx.deactivatedToken}` : (random.pick(fx.forged) as string);
      return request({ path, token: undefined, rawAuthorization: forged, mustRefuse: op.protected && !op.path.includes('/auth/') });
    }
    case 'badId':
      return request({ path: op.path.replace(/\{[^}]+\}/g, () => random.pick(BAD_IDS) as string), mustRefuse: op.method !== 'GET' });
    case 'badQuery':
      return request({ path: `${nowhere.includes('{') ? nowhere : nowhere}?${random.pick(BAD_QUERIES)}` });
    case 'pathTrick':
      return request({
        path: (random.pick(PATH_TRICKS) as (p: string) => string)(nowhere),
        token: random.chance(0.5) ? undefined : fx.tokens.user,
      });
    case 'wrongType': {
      const field = random.pick(required.length ? required : fields.map(([key]) => key)) ?? 'x';
      const wrong = WRONG_VALUES.filter((value) => !fitsType(value, fields.find(([key]) => key === field)?.[1]));
      return request({ ...json({ ...base, [field]: random.pick(wrong) }), mustRefuse: required.length > 0 });
    }
    case 'missing': {
      if (!required.length) return request({ ...json({}), mustRefuse: false });
      const body = { ...base };
      for (const field of required) if (random.chance(0.5) || field === random.pick(required)) delete body[field];
      if (Object.keys(body).length === Object.keys(base ?? {}).length) delete body[required[0] as string];
      return request({ ...json(body), mustRefuse: true });
    }
    case 'extra': {
      const body: Record<string, unknown> = {
        ...base,
        admin: true,
        id: 1,
        user_id: 1,
        karma: 1e9,
        role: 'admin',
        [`x${random.int(1e6)}`]: 'extra',
      };
      const text = JSON.stringify(body).replace(/^\{/, '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},');
      return request({ headers: { 'content-type': 'application/json' }, body: text });
    }
    case 'huge': {
      const [field, schema] = random.pick(fields) ?? ['x', {}];
      const size = random.pick([10_001, 50_001, 300_000, 2_000_000]) as number;
      const value = schema?.type === 'array' ? Array.from({ length: Math.min(size, 200_000) }, () => 1) : 'x'.repeat(size);
      return request({
        ...json({ ...base, [field]: value }),
        mustRefuse:
          required.includes(field) && (size > 1_048_576 || (schema?.maxLength ?? Infinity) < size || (schema?.maxItems ?? Infinity) < size),
      });
    }
    case 'deep':
      return request({
        headers: { 'content-type': 'application/json' },
        body: random.chance(0.5)
          ? deepJson(random.pick([100, 10_000, 100_000]) as number, random)
          : JSON.stringify({ ...base, [required[0] ?? 'x']: JSON.parse(deepJson(1_000, random)) }),
        mustRefuse: required.length > 0,
      });
    case 'invalidUtf8': {
      const text = JSON.stringify(base ?? {});
      const at = Math.max(1, text.indexOf('"', text.indexOf(':')) + 1);
      const body = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from(
          random.pick([
            [0xff, 0xfe],
            [0xc0, 0xaf],
            [0xed, 0xa0, 0x80],
            [0xf8, 0x88, 0x80, 0x80, 0x80],
          ]) as number[],
        ),
        Buffer.from(text.slice(at)),
      ]);
      return request({ headers: { 'content-type': 'application/json' }, body });
    }
    default: {
      const contentType = random.pick(CONTENT_TYPES) as string;
      return request({
        headers: contentType ? { 'content-type': contentType } : {},
        body: contentType.includes('json') ? JSON.stringify(base) : 'title=x&text=y',
        mustRefuse: !contentType.startsWith('application/json'),
      });
    }
  }
}

function fitsType(value: unknown, schema: Schema | undefined): boolean {
  if (!schema) return false;
  const types = (schema.anyOf ?? schema.oneOf ?? [schema]).map((s: Schema) => resolve(s).type);
  if (value === null) return types.includes('null');
  if (Array.isArray(value)) return types.includes('array');
  if (typeof value === 'number') return types.includes('number') || (types.includes('integer') && Number.isInteger(value));
  return types.includes(typeof value);
}

async function send(
  baseUrl: string,
  request: FuzzRequest,
  recorder: Recorder,
): Promise<{ status: number; contentType: string; text: string }> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.rawAuthorization !== undefined) headers.authorization = request.rawAuthorization;
  else if (request.token) headers.authorization = `Bearer ${request.token}`;
  const t0 = performance.now();
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers,
      body: request.method === 'GET' ? undefined : request.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    recorder.record(request.category, performance.now() - t0, true);
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
  } catch (error) {
    recorder.record(request.category, performance.now() - t0, false);
    return { status: 0, contentType: '', text: String((error as Error).cause ?? error) };
  }
}

/** What a rejected request must not change: the objects that existed before the fuzzing. */
async function snapshot(call: Client, ids: Record<string, number>, tokens: { a: string; b: string; admin: string }, community: string) {
  const get = async (path: string, token?: string) => {
    const reply = await call({ step: 'snapshot', path, token, expect: 200 });
    return reply.ok ? reply.body : `${reply.status} ${reply.text.slice(0, 200)}`;
  };
  const communities = await get('/communities');
  return {
    post: await get(`/posts/${ids.post}`),
    tally: await get(`/votes/${ids.post}`),
    community: Array.isArray(communities) ? communities.find((c: { name: string }) => c.name === community) : communities,
    userA: await get(`/users/${ids.a}`, tokens.admin),
    userB: await get(`/users/${ids.b}`, tokens.admin),
    admin: await get(`/users/${ids.admin}`, tokens.admin),
    messageForA: await get(`/messages/${ids.message}`, tokens.a),
    messageForB: await get(`/messages/${ids.message}`, tokens.b),
    inboxB: await get('/messages?box=inbox', tokens.b),
    sentA: await get('/messages?box=sent', tokens.a),
    submission: await get(`/submissions/${ids.submission}`, tokens.a),
    exercise: await get(`/exercises/${ids.exercise}`, tokens.admin),
    scores: await get(`/scores?user_id=${ids.a}`),
    statusA: await get('/auth/status', tokens.a),
  };
}

async function main(): Promise<number> {
  console.log(`fuzz: ${REQUESTS} requests over ${operations.length} operations, seed ${SEED}, concurrency ${CONCURRENCY}`);
  const system = await useSystem(args['base-url']);
  try {
    console.log(`system: ${system.baseUrl} (${system.description})`);
    const setupRecorder = new Recorder();
    const call = loadClient(system.baseUrl, setupRecorder);
    const adminToken = await system.adminToken();
    const tag = `${Date.now().toString(36).slice(-6)}`;
    const signUp = async (name: string) => {
      const username = `fz${tag}${name}`;
      const registered = await call({
        step: 'setup',
        method: 'POST',
        path: '/auth/register',
        json: { username, email: `${username}@fuzz.test`, password: 'fuzz-password' },
        expect: 201,
      });
      const login = await call({
        step: 'setup',
        method: 'POST',
        path: '/auth/login',
        json: { username, password: 'fuzz-password' },
        expect: 200,
      });
      if (!registered.ok || !login.ok) throw new Error(`setup: cannot sign up ${username}: ${registered.text} ${login.text}`);
      return {
        id: registered.body.id as number,
        username,
        token: login.body.access_token as string,
        refresh: login.body.refresh_token as string,
      };
    };
    const [a, b, c, throwaway, deactivated] = [
      await signUp('a'),
      await signUp('b'),
      await signUp('c'),
      await signUp('t'),
      await signUp('d'),
    ];
    await call({ step: 'setup', method: 'POST', path: `/users/${deactivated.id}/deactivate`, token: deactivated.token, expect: 200 });
    const adminId = (await call({ step: 'setup', path: '/auth/status', token: adminToken, expect: 200 })).body.id as number;
    const community = `fz_${tag}`;
    const post = await call({
      step: 'setup',
      method: 'POST',
      path: '/posts',
      token: a.token,
      json: { title: 'Fuzz target', text: 'Must not change.', community },
      expect: 201,
    });
    await call({ step: 'setup', method: 'PUT', path: `/votes/${post.body.id}`, token: b.token, json: { direction: 'up' }, expect: 200 });
    const message = await call({
      step: 'setup',
      method: 'POST',
      path: '/messages',
      token: a.token,
      json: { to: b.username, content: 'Must not change.' },
      expect: 201,
    });
    const exercise = await call({
      step: 'setup',
      method: 'POST',
      path: '/exercises',
      token: adminToken,
      json: {
        title: `Fuzz double ${tag}`,
        body: 'Return twice n.',
        language: 'javascript',
        entrypoint: 'double',
        examples: [{ args: [1], expected: 2 }],
        tests: [{ args: [3], expected: 6 }],
        solution: 'function double(n) { return 2 * n; }',
      },
      expect: 201,
    });
    const submission = await call({
      step: 'setup',
      method: 'POST',
      path: `/exercises/${exercise.body.id}/submissions`,
      token: a.token,
      json: { code: 'function double(n) { return 2 * n; }' },
      expect: 201,
    });
    if (setupRecorder.unexpected.length) throw new Error(`setup failed: ${JSON.stringify(setupRecorder.unexpected, null, 1)}`);
    // Wait for the submission's score (outbox) so it is settled before the first snapshot.
    for (let i = 0; i < 60; i++) {
      const scores = await call({ step: 'setup', path: `/scores?user_id=${a.id}`, expect: 200 });
      if (scores.ok && scores.body.length === 1) break;
      await new Promise((done) => setTimeout(done, 500));
    }
    const jwks = (await call({ step: 'setup', path: '/.well-known/jwks.json', expect: 200 })).text;
    const scoreId = (await call({ step: 'setup', path: `/scores?user_id=${a.id}`, expect: 200 })).body[0]?.id ?? NOBODY;

    const ids = {
      post: post.body.id,
      message: message.body.id,
      exercise: exercise.body.id,
      submission: submission.body.id,
      a: a.id,
      b: b.id,
      admin: adminId,
    };
    const tokens = { a: a.token, b: b.token, admin: adminToken };
    const fixtures: Fixtures = {
      paramValue: (path) => {
        if (path.startsWith('/api/v1/posts') || path.startsWith('/api/v1/votes')) return String(ids.post);
        if (path.startsWith('/api/v1/messages')) return String(ids.message);
        if (path.startsWith('/api/v1/users')) return String(ids.a);
        if (path.startsWith('/api/v1/exercises')) return String(ids.exercise);
        if (path.startsWith('/api/v1/submissions')) return String(ids.submission);
        if (path.startsWith('/api/v1/scores')) return String(scoreId);
        if (path.startsWith('/api/v1/communities')) return community;
        return '1';
      },
      tokens: { user: c.token, admin: adminToken, throwaway: throwaway.token },
      forged: forgeTokens(a.token, adminId, jwks),
      deactivatedToken: deactivated.token,
    };
    const before = await snapshot(call, ids, tokens, community);

    const recorder = new Recorder();
    const random = seededRandom(SEED);
    const requests = Array.from({ length: REQUESTS }, (_, i) =>
      makeRequest(operations[i % operations.length] as Operation, random, fixtures),
    );
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const index = next++;
          const request = requests[index] as FuzzRequest;
          const reply = await send(system.baseUrl, request, recorder);
          const key = `${request.category} ${reply.status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          const problem = judge(request, reply);
          if (problem) {
            const body =
              request.body === undefined
                ? ''
                : ` body ${String(request.body).slice(0, 200)}${request.body.length > 200 ? `… (${request.body.length} bytes)` : ''}`;
            failures.push(
              `#${index} [${request.category}] ${request.method} ${request.path.slice(0, 200)} auth ${(request.rawAuthorization ?? (request.token ? 'valid token' : 'none')).slice(0, 60)}${body}\n    → ${reply.status} ${reply.contentType} ${reply.text.slice(0, 300)}\n    ${problem}`,
            );
          }
        }
      }),
    );
    recorder.stop();
    const seconds = (performance.now() - started) / 1000;
    const after = await snapshot(call, ids, tokens, community);
    // The spent sessions still work: nothing in the fuzz revoked them.
    const refresh = await call({ step: 'after', method: 'POST', path: '/auth/refresh', json: { refresh_token: a.refresh }, expect: 200 });
    if (!refresh.ok) failures.push(`user A's refresh token stopped working: ${refresh.status} ${refresh.text}`);

    console.log(`\n${requests.length} requests in ${seconds.toFixed(1)} s (${(requests.length / seconds).toFixed(0)} req/s)`);
    console.log(recorder.table());
    console.log('\nstatuses per category:');
    const byCategory = new Map<string, string[]>();
    for (const [key, count] of [...statuses].sort()) {
      const [category, status] = key.split(' ');
      byCategory.set(category as string, [...(byCategory.get(category as string) ?? []), `${status}×${count}`]);
    }
    for (const [category, counts] of byCategory) console.log(`  ${category.padEnd(12)} ${counts.join('  ')}`);
    for (const [what, value] of Object.entries(before)) {
      const changed = (after as Record<string, unknown>)[what];
      if (!isDeepStrictEqual(value, changed))
        failures.push(
          `state changed: ${what}\n    before ${JSON.stringify(value).slice(0, 400)}\n    after  ${JSON.stringify(changed).slice(0, 400)}`,
        );
    }
    for (const line of failures.slice(0, 60)) console.log(`FAIL ${line}`);
    if (failures.length > 60) console.log(`… and ${failures.length - 60} more failures`);
    console.log(
      failures.length === 0
        ? '\nPASS: no 5xx, every answer JSON, every bad request refused, no fixture changed'
        : `\nFAIL: ${failures.length} problems`,
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    await system.stop();
  }
}

/** What is wrong with an answer, or undefined. */
function judge(request: FuzzRequest, reply: { status: number; contentType: string; text: string }): string | undefined {
  if (reply.status === 0) return `no answer: ${reply.text}`;
  if (reply.status >= 500) return 'a 5xx';
  if (!reply.contentType.includes('application/json')) return 'not JSON';
  let body: any;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return 'the body does not parse as JSON';
  }
  if (reply.status >= 400) {
    if (body?.statusCode !== reply.status || typeof body.error !== 'string' || typeof body.message !== 'string')
      return 'not the contract error shape';
  } else if (request.mustRefuse) {
    return 'accepted a request that must be refused';
  }
  return undefined;
}

process.exitCode = await main();

// The HTTP side of the system tests: one call = one step name, one request, the statuses that are
// right for it. Every call is timed per step; every wrong status is kept with its request and
// response so a failed run says exactly what went wrong.

export interface Call {
  step: string;
  method?: string;
  path: string;
  token?: string | undefined;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** The statuses that are right for this call. */
  expect: number | number[];
}

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when it is not JSON. */
  body: any;
  text: string;
  ok: boolean;
}

interface StepFigures {
  latencies: number[];
  unexpected: number;
  /** Answers tolerated while faults are injected (503 for what is down, refused connections). */
  shed: number;
}

export interface Unexpected {
  at: string;
  step: string;
  request: string;
  status: number;
  response: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const clip = (text: string, max = 600) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

export class Recorder {
  readonly steps = new Map<string, StepFigures>();
  readonly unexpected: Unexpected[] = [];
  startedAt = performance.now();
  private stoppedAt: number | undefined;

  record(step: string, ms: number, ok: boolean, shed = false) {
    let figures = this.steps.get(step);
    if (!figures) {
      figures = { latencies: [], unexpected: 0, shed: 0 };
      this.steps.set(step, figures);
    }
    figures.latencies.push(ms);
    if (shed) figures.shed += 1;
    else if (!ok) figures.unexpected += 1;
  }

  get shed(): number {
    let shed = 0;
    for (const figures of this.steps.values()) shed += figures.shed;
    return shed;
  }

  stop() {
    this.stoppedAt ??= performance.now();
  }

  get total(): number {
    let total = 0;
    for (const figures of this.steps.values()) total += figures.latencies.length;
    return total;
  }

  /** A table: requests, req/s, p50/p95/p99 and unexpected statuses per step, then the total. */
  table(): string {
    const seconds = ((this.stoppedAt ?? performance.now()) - this.startedAt) / 1000;
    const withShed = this.shed > 0;
    const rows = [['step', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'unexpected', ...(withShed ? ['shed'] : [])]];
    const all: number[] = [];
    let unexpected = 0;
    for (const [step, figures] of [...this.steps].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...figures.latencies].sort((a, b) => a - b);
      all.push(...sorted);
      unexpected += figures.unexpected;
      rows.push([...row(step, sorted, seconds, figures.unexpected), ...(withShed ? [String(figures.shed)] : [])]);
    }
    all.sort((a, b) => a - b);
    rows.push([...row('ALL', all, seconds, unexpected), ...(withShed ? [String(this.shed)] : [])]);
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    return rows
      .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '))
      .join('\n');
  }
}

function row(step: string, sorted: number[], seconds: number, unexpected: number): string[] {
  const ms = (p: number) => (sorted.length ? percentile(sorted, p).toFixed(0) : '-');
  return [
    step,
    String(sorted.length),
    (sorted.length / seconds).toFixed(1),
    ms(50),
    ms(95),
    ms(99),
    sorted.length ? (sorted[sorted.length - 1] as number).toFixed(0) : '-',
    String(unexpected),
  ];
}

/** A client for one system: JSON in, parsed body out, every call timed and checked. */
export function loadClient(baseUrl: string, recorder: Recorder, options: { timeoutMs?: number; tolerate?: number[] } = {}) {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const tolerate = options.tolerate ?? [];
  return async function call(request: Call): Promise<Reply> {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { ...request.headers };
    if (request.json !== undefined) headers['content-type'] ??= 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const body = request.json !== undefined ? JSON.stringify(request.json) : request.body;
    const url = `${baseUrl}${request.path.startsWith('/api/') || request.path === '/health' ? '' : '/api/v1'}${request.path}`;
    const t0 = performance.now();
    let reply: Reply;
    try {
      const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text, and reported when the status was wrong
      }
      reply = { status: response.status, headers: response.headers, body: parsed, text, ok: false };
    } catch (error) {
      reply = { status: 0, headers: new Headers(), body: undefined, text: String((error as Error).cause ?? error), ok: false };
    }
    const ms = performance.now() - t0;
    const expected = Array.isArray(request.expect) ? request.expect : [request.expect];
    reply.ok = expected.includes(reply.status);
    const shed = !reply.ok && tolerate.includes(reply.status);
    recorder.record(request.step, ms, reply.ok, shed);
    if (!reply.ok && !shed) {
      recorder.unexpected.push({
        at: new Date().toISOString(),
        step: request.step,
        request: `${method} ${request.path}${body !== undefined ? ` ${clip(body, 300)}` : ''} (expected ${expected.join('|')})`,
        status: reply.status,
        response: clip(reply.text),
      });
    }
    return reply;
  };
}

export type Client = ReturnType<typeof loadClient>;

/** Statuses that mean "not now" while faults are injected: the write is sent again. */
export const SHED_STATUSES = [0, 502, 503, 504];

/** A small seeded random source (mulberry32), so a run's choices can be replayed with --seed. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(items: readonly T[]): T | undefined => (items.length ? items[Math.floor(next() * items.length)] : undefined),
    chance: (p: number) => next() < p,
  };
}

export type Random = ReturnType<typeof seededRandom>;

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Follows `Link: <…>; rel="next"` until the last page; returns every item. */
export async function listAll(call: Client, step: string, path: string, token?: string): Promise<any[] | undefined> {
  const items: any[] = [];
  let next: string | undefined = path;
  while (next) {
    const reply = await call({ step, path: next, token, expect: 200 });
    if (!reply.ok || !Array.isArray(reply.body)) return undefined;
    items.push(...reply.body);
    const link = reply.headers.get('link');
    const match = link ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
    next = match ? match[1] : undefined;
  }
  return items;
}

const CREATES = /^\/(posts|messages|exercises\/\d+\/submissions)$/;

/**
 * A client for runs with injected faults, as a careful real client behaves: a write answered
 * "not now" (503, a refused connection) is sent again, with the same `Idempotency-Key` for creates,
 * until it is answered; a retried delete that finds nothing (404) or a retried registration that
 * finds the name taken (409) had gone through the first time. Refresh is never retried (a spent
 * refresh token revokes the session): the journey logs in again instead. Writes still unanswered
 * after `giveUpMs` are listed in `gaveUp`.
 */
export function retryingWrites(call: Client, options: { giveUpMs: number; random: Random }) {
  const gaveUp: string[] = [];
  const retrying: Client = async (request) => {
    const method = request.method ?? 'GET';
    const expected = Array.isArray(request.expect) ? request.expect : [request.expect];
    const isWrite = method !== 'GET' && expected.some((status) => status >= 200 && status < 300) && request.path !== '/auth/refresh';
    if (!isWrite) return call(request);
    const headers = { ...request.headers };
    if (method === 'POST' && CREATES.test(request.path) && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) {
      headers['idempotency-key'] = `retry-${Date.now().toString(36)}-${options.random.int(1e9).toString(36)}`;
    }
    const first = { ...request, headers };
    let reply = await call(first);
    const giveUpAt = Date.now() + options.giveUpMs;
    const alreadyDone =
      method === 'DELETE' ? [404] : request.path === '/auth/register' ? [409] : request.path === '/auth/logout' ? [401] : [];
    while (SHED_STATUSES.includes(reply.status)) {
      if (Date.now() > giveUpAt) {
        gaveUp.push(`${method} ${request.path}: still ${reply.status} after ${options.giveUpMs / 1000} s`);
        return reply;
      }
      const retryAfter = Number(reply.headers.get('retry-after'));
      await sleep(Math.min(5_000, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 500) * (0.5 + options.random.next()));
      reply = await call({ ...first, step: `${request.step} (again)`, expect: [...expected, ...alreadyDone] });
      if (alreadyDone.includes(reply.status)) reply.ok = true;
    }
    return reply;
  };
  return { call: retrying, gaveUp };
}

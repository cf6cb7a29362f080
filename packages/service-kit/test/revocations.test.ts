import { createServer, type Server } from 'node:http';
import { startRevocationList, type UserActor } from '@codeyard/service-kit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A stand-in for users' GET /revocations: answers whatever the test puts in `entries`. */
describe('service-kit: revocation list', () => {
  let server: Server;
  let url: string;
  let entries: object[] = [];
  let down = false;
  const sinces: (string | null)[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      sinces.push(new URL(request.url ?? '/', 'http://x').searchParams.get('since'));
      if (down) return response.writeHead(503).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: new Date().toISOString(), revocations: entries }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const actor = (overrides: Partial<UserActor> = {}): UserActor => ({ kind: 'user', id: 7, username: 'ada', admin: false, tokenVersion: 2, sessionId: 's-1', ...overrides });
  const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
  const list = () => startRevocationList({ usersUrl: url, intervalMs: 3_600_000, logger: pino({ level: 'silent' }) });

  it('refuses a signed-out login and tokens below a user\'s minimum version, and nothing else', async () => {
    entries = [
      { user_id: 7, session_id: 's-1', expires_at: inAMinute() },
      { user_id: 8, min_token_version: 3, expires_at: inAMinute() },
    ];
    const revocations = list();
    try {
      await revocations.poll();
      expect(() => revocations.check(actor())).toThrow(expect.objectContaining({ statusCode: 401, message: 'This login has been signed out' }));
      expect(() => revocations.check(actor({ sessionId: 's-2' }))).not.toThrow();
      expect(() => revocations.check(actor({ id: 8, tokenVersion: 2, sessionId: 's-3' }))).toThrow(
        expect.objectContaining({ statusCode: 401, message: 'This token has been revoked' }),
      );
      expect(() => revocations.check(actor({ id: 8, tokenVersion: 3, sessionId: 's-3' }))).not.toThrow();
    } finally {
      revocations.stop();
    }
  });

  it('asks for what changed since its last answer, with an overlap, and keeps its list while users is down', async () => {
    entries = [{ user_id: 9, min_token_version: 1, expires_at: inAMinute() }];
    sinces.length = 0;
    const revocations = list();
    try {
      await revocations.poll();
      down = true;
      await revocations.poll();
      expect(() => revocations.check(actor({ id: 9, tokenVersion: 0 }))).toThrow();
      // the first poll of a fresh list asks for everything; later ones from ~10 s before the last answer
      expect(sinces[0]).toBeNull();
      const since = Date.parse(sinces.at(-1) ?? '');
      expect(Date.now() - since).toBeGreaterThanOrEqual(10_000);
      expect(Date.now() - since).toBeLessThan(20_000);
    } finally {
      down = false;
      revocations.stop();
    }
  });

  it('forgets an entry once every token it concerned has expired', async () => {
    entries = [{ user_id: 10, min_token_version: 5, expires_at: new Date(Date.now() - 1).toISOString() }];
    const revocations = list();
    try {
      await revocations.poll();
      expect(() => revocations.check(actor({ id: 10, tokenVersion: 0 }))).not.toThrow();
    } finally {
      revocations.stop();
    }
  });
});

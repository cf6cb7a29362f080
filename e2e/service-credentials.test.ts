import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startSystem } from './system.js';

const OFFSETS = { users: 1, exercises: 2, eval: 3, scores: 4, posts: 5, votes: 6, messages: 7 } as const;
type ServiceName = keyof typeof OFFSETS;

/** The environment of the running process of `service` on this system's ports, read from /proc. */
function environmentOf(service: ServiceName, portBase: number): Record<string, string> {
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let cmdline: string;
    let environ: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(`services/${service}/dist/server.js`)) continue;
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone meanwhile, or not ours
    }
    const env = Object.fromEntries(
      environ
        .split('\0')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    if (env.PORT === String(portBase + OFFSETS[service])) return env;
  }
  throw new Error(`no ${service} process on port ${portBase + OFFSETS[service]}`);
}

/** Issue 7 item 5: each service holds only its own credential; eval (untrusted code) holds none. */
describe.runIf(process.platform === 'linux')('service credentials in the processes `npm start` runs', () => {
  it('eval\'s environment holds no service key, no shared secret and no database URL', async () => {
    const system = await startSystem();
    const portBase = Number(new URL(system.baseUrl).port);
    const evalEnv = environmentOf('eval', portBase);
    const secretKeys = Object.keys(evalEnv).filter((key) => /SERVICE_SECRET|PRIVATE_KEY|DATABASE_URL|ADMIN_PASSWORD/.test(key));
    expect(secretKeys).toEqual([]);
    // It can still check exercises' credentials (raised limits): the public keys only.
    expect(evalEnv.SERVICE_PUBLIC_KEYS).toMatch(/^exercises:[\w-]{43},posts:[\w-]{43},votes:[\w-]{43}$/);
  });

  it('exercises, posts and votes each hold their own key, matching the public key the others check with; the rest hold none', async () => {
    const system = await startSystem();
    const portBase = Number(new URL(system.baseUrl).port);
    const { servicePublicKeyOf } = await import('../packages/service-kit/src/service-keys.js');
    const signers = ['exercises', 'posts', 'votes'] as const;
    const keys = signers.map((service) => environmentOf(service, portBase).SERVICE_PRIVATE_KEY as string);
    for (const key of keys) expect(key).toMatch(/^[\w-]{43}$/);
    expect(new Set(keys).size).toBe(3);
    const published = environmentOf('users', portBase).SERVICE_PUBLIC_KEYS;
    expect(published).toBe(signers.map((service, index) => `${service}:${servicePublicKeyOf(keys[index] as string)}`).join(','));
    for (const service of ['users', 'scores', 'messages'] as const) {
      const env = environmentOf(service, portBase);
      expect(Object.keys(env).filter((key) => /SERVICE_SECRET|SERVICE_PRIVATE_KEY/.test(key)), service).toEqual([]);
    }
  });

  it('only users gets the bootstrap admin\'s password', async () => {
    const system = await startSystem();
    const portBase = Number(new URL(system.baseUrl).port);
    expect(environmentOf('users', portBase).ADMIN_PASSWORD).toBe(system.adminPassword);
    for (const service of ['exercises', 'eval', 'scores', 'posts', 'votes', 'messages'] as const) {
      expect(environmentOf(service, portBase).ADMIN_PASSWORD, service).toBeUndefined();
    }
  });
});

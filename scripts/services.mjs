// The services `npm start` runs, in start order, with their offset from the gateway's port.
export const SERVICES = [
  { name: 'users', offset: 1, database: true },
  { name: 'exercises', offset: 2, database: true },
  { name: 'eval', offset: 3, database: false },
  { name: 'scores', offset: 4, database: true },
  { name: 'posts', offset: 5, database: true },
  { name: 'votes', offset: 6, database: true },
  { name: 'messages', offset: 7, database: true },
  { name: 'gateway', offset: 0, database: false },
];

const ENV_NAME = (name) => `${name.toUpperCase()}_URL`;

/** Keys that hold one service's signing key; only that service's environment may carry one. */
const PRIVATE_KEY_NAMES = /^(SERVICE_SECRET|SERVICE_PRIVATE_KEY|[A-Z]+_SERVICE_PRIVATE_KEY)$/;
/** Secrets only users reads. */
const USERS_ONLY = new Set(['JWT_PRIVATE_KEY', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'ADMIN_USERNAME']);
/** A database URL can write everything: only the services with a database get one. */
const DATABASE_ONLY = new Set(['DATABASE_URL', 'DATABASE_SCHEMA', 'DATABASE_SCHEMA_PREFIX']);

/**
 * The environment of one service: its port, every other service's URL, only its own secrets
 * (its signing key from `serviceKeys`, by service name; users' keys for users; a database URL
 * for a service with a database — so eval and the gateway get none), and, when the system shares
 * one Postgres database, a schema of its own.
 */
export function serviceEnv(service, { portBase, baseEnv, serviceKeys = {} }) {
  const env = Object.fromEntries(
    Object.entries(baseEnv).filter(
      ([key]) => !PRIVATE_KEY_NAMES.test(key) && (service.name === 'users' || !USERS_ONLY.has(key)) && (service.database || !DATABASE_ONLY.has(key)),
    ),
  );
  env.PORT = String(portBase + service.offset);
  if (serviceKeys[service.name]) env.SERVICE_PRIVATE_KEY = serviceKeys[service.name];
  for (const other of SERVICES) {
    if (other.name !== 'gateway') env[ENV_NAME(other.name)] ??= `http://127.0.0.1:${portBase + other.offset}`;
  }
  if (/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? '') && !baseEnv.DATABASE_SCHEMA) {
    env.DATABASE_SCHEMA = `${baseEnv.DATABASE_SCHEMA_PREFIX ?? ''}${service.name}`;
  }
  return env;
}

/**
 * The launcher's service keys: private keys by service name, and SERVICE_PUBLIC_KEYS. On a laptop
 * service-kit generates them once into DATA_DIR (owner-only, atomically); with
 * NODE_ENV=production they come from <NAME>_SERVICE_PRIVATE_KEY and SERVICE_PUBLIC_KEYS.
 */
export async function launcherServiceKeys(baseEnv, dataDir) {
  if (baseEnv.NODE_ENV === 'production') {
    const privateKeys = {};
    for (const service of SERVICES) {
      const key = baseEnv[`${service.name.toUpperCase()}_SERVICE_PRIVATE_KEY`];
      if (key) privateKeys[service.name] = key;
    }
    return { privateKeys, publicKeys: baseEnv.SERVICE_PUBLIC_KEYS };
  }
  // Loaded here, not at the top: deploy/healthcheck.mjs imports this file without service-kit.
  const { developmentServiceKeys } = await import('../packages/service-kit/dist/secrets.js');
  return developmentServiceKeys(dataDir);
}

// The services `npm start` runs, in start order, with their offset from the gateway's port.
export const SERVICES = [
  { name: 'users', offset: 1 },
  { name: 'exercises', offset: 2 },
  { name: 'eval', offset: 3 },
  { name: 'scores', offset: 4 },
  { name: 'posts', offset: 5 },
  { name: 'votes', offset: 6 },
  { name: 'messages', offset: 7 },
  { name: 'gateway', offset: 0 },
];

const ENV_NAME = (name) => `${name.toUpperCase()}_URL`;

/**
 * The environment of one service: its port, every other service's URL, and, when the system
 * shares one Postgres database, a schema of its own.
 */
export function serviceEnv(service, { portBase, baseEnv }) {
  const env = { ...baseEnv, PORT: String(portBase + service.offset) };
  for (const other of SERVICES) {
    if (other.name !== 'gateway') env[ENV_NAME(other.name)] ??= `http://127.0.0.1:${portBase + other.offset}`;
  }
  if (/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? '') && !baseEnv.DATABASE_SCHEMA) {
    env.DATABASE_SCHEMA = `${baseEnv.DATABASE_SCHEMA_PREFIX ?? ''}${service.name}`;
  }
  return env;
}

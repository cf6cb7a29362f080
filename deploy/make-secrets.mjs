#!/usr/bin/env node
// Makes fresh secrets for a deployment (docs/runbooks/deploy.md). Each service gets only its own:
// users its signing key and the admin, exercises, posts and votes their service keys, every service with
// a database its DATABASE_URL; eval and the gateway get no secret at all.
//   node deploy/make-secrets.mjs compose > deploy/.env              one file, for Compose to pick from
//   node deploy/make-secrets.mjs k8s-local --out deploy/k8s/overlays/local/secrets
//   node deploy/make-secrets.mjs k8s --database-url postgres://codeyard:…@db:5432/codeyard --out secrets
//   node deploy/make-secrets.mjs vm  --database-url postgres://codeyard:…@127.0.0.1:5432/codeyard --out deploy/vm/secrets
// With --out: one <service>.env per service that has secrets (k8s: one Secret each; VM: one env
// file per process) and service-keys.env (SERVICE_PUBLIC_KEYS: public, k8s: a ConfigMap); the
// directory is 0700, the files 0600 and must not exist yet. Values are URL- and env-file-safe
// (hex, base64url, one-line JSON).
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const DATABASE_SERVICES = ['users', 'exercises', 'scores', 'posts', 'votes', 'messages'];
/** The services that sign credentials for internal endpoints (service-kit's CREDENTIALED_SERVICES). */
const SIGNING_SERVICES = ['exercises', 'posts', 'votes'];
/** Services that accept another service's credential: they need SERVICE_PUBLIC_KEYS. */
const VERIFYING_SERVICES = ['users', 'scores', 'eval', 'votes'];

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'database-url': { type: 'string' },
    'admin-email': { type: 'string', default: 'admin@codeyard.local' },
    out: { type: 'string' },
  },
});
const target = positionals[0];
const needsDatabaseUrl = target === 'k8s' || target === 'vm';
const needsOut = target !== 'compose';
if (!['compose', 'k8s-local', 'k8s', 'vm'].includes(target ?? '') || (needsDatabaseUrl && !values['database-url']) || (needsOut && !values.out)) {
  console.error('usage: node deploy/make-secrets.mjs compose | k8s-local --out DIR | (k8s | vm) --database-url postgres://… --out DIR [--admin-email EMAIL]');
  process.exit(2);
}

/** The Ed25519 key users signs access tokens with, as one-line JWK; a fresh kid lets verifiers tell keys apart. */
function signingKeyJwk() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'EdDSA' });
}

/** A service's own Ed25519 key as service-kit reads it: the seed (JWK `d`) and the public `x`. */
function serviceKey() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { seed: jwk.d, publicKey: createPublicKey(privateKey).export({ format: 'jwk' }).x };
}

const made = `made ${new Date().toISOString()}. Keep it out of version control.`;
const serviceKeys = Object.fromEntries(SIGNING_SERVICES.map((name) => [name, serviceKey()]));
const publicKeys = `SERVICE_PUBLIC_KEYS=${SIGNING_SERVICES.map((name) => `${name}:${serviceKeys[name].publicKey}`).join(',')}`;
const admin = [`ADMIN_EMAIL=${values['admin-email']}`, `ADMIN_PASSWORD=${randomBytes(12).toString('base64url')}`];
const postgresPassword = target === 'compose' || target === 'k8s-local' ? randomBytes(24).toString('hex') : undefined;
const databaseUrl = target === 'k8s-local' ? `postgres://codeyard:${postgresPassword}@postgres:5432/codeyard` : values['database-url'];

if (target === 'compose') {
  // Compose reads this file itself and hands each container only what compose.yaml names for it.
  console.log(
    [
      `# Codeyard secrets for compose, ${made}`,
      `JWT_PRIVATE_KEY=${signingKeyJwk()}`,
      ...admin,
      `POSTGRES_PASSWORD=${postgresPassword}`,
      ...SIGNING_SERVICES.map((name) => `${name.toUpperCase()}_SERVICE_PRIVATE_KEY=${serviceKeys[name].seed}`),
      publicKeys,
    ].join('\n'),
  );
  process.exit(0);
}

const files = {};
for (const service of ['users', 'exercises', 'eval', 'scores', 'posts', 'votes', 'messages']) {
  const lines = [];
  if (service === 'users') lines.push(`JWT_PRIVATE_KEY=${signingKeyJwk()}`, ...admin);
  if (SIGNING_SERVICES.includes(service)) lines.push(`SERVICE_PRIVATE_KEY=${serviceKeys[service].seed}`);
  if (DATABASE_SERVICES.includes(service)) lines.push(`DATABASE_URL=${databaseUrl}`);
  // On the VM each process has its own file: the verifiers' public keys go in theirs.
  if (target === 'vm' && VERIFYING_SERVICES.includes(service)) lines.push(publicKeys);
  if (lines.length > 0) files[`${service}.env`] = lines;
}
// Kubernetes: the public keys are a ConfigMap every pod reads (nothing secret in it).
if (target !== 'vm') files['service-keys.env'] = [publicKeys];
if (target === 'k8s-local') files['postgres.env'] = [`POSTGRES_PASSWORD=${postgresPassword}`];

mkdirSync(values.out, { recursive: true, mode: 0o700 });
chmodSync(values.out, 0o700);
for (const [name, lines] of Object.entries(files)) {
  writeFileSync(join(values.out, name), `# ${name.replace('.env', '')}: ${target} secrets, ${made}\n${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
}
console.log(`${values.out}: ${Object.keys(files).join(', ')}`);

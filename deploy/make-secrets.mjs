#!/usr/bin/env node
// Prints fresh secrets for a deployment as KEY=value lines (docs/runbooks/deploy.md):
//   node deploy/make-secrets.mjs compose   > deploy/.env
//   node deploy/make-secrets.mjs k8s-local > deploy/k8s/overlays/local/secrets.env
//   node deploy/make-secrets.mjs k8s --database-url postgres://codeyard:…@db:5432/codeyard > secrets.env
//   node deploy/make-secrets.mjs vm  --database-url postgres://codeyard:…@127.0.0.1:5432/codeyard >> deploy/vm/.env
// Values are URL- and env-file-safe (hex, base64url, one-line JSON); nothing is written to disk here.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const DATABASE_SERVICES = ['users', 'exercises', 'scores', 'posts', 'votes', 'messages'];

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'database-url': { type: 'string' },
    'admin-email': { type: 'string', default: 'admin@codeyard.local' },
  },
});
const target = positionals[0];
const needsDatabaseUrl = target === 'k8s' || target === 'vm';
if (!['compose', 'k8s-local', 'k8s', 'vm'].includes(target ?? '') || (needsDatabaseUrl && !values['database-url'])) {
  console.error('usage: node deploy/make-secrets.mjs compose | k8s-local | (k8s | vm) --database-url postgres://… [--admin-email EMAIL]');
  process.exit(2);
}

/** The Ed25519 key users signs access tokens with, as one-line JWK; a fresh kid lets verifiers tell keys apart. */
function signingKeyJwk() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'EdDSA' });
}

const lines = [
  `# Codeyard secrets for ${target}, made ${new Date().toISOString()}. Keep this file out of version control.`,
  `SERVICE_SECRET=${randomBytes(32).toString('base64url')}`,
  `JWT_PRIVATE_KEY=${signingKeyJwk()}`,
  `ADMIN_EMAIL=${values['admin-email']}`,
  `ADMIN_PASSWORD=${randomBytes(12).toString('base64url')}`,
];
if (target === 'compose' || target === 'k8s-local') {
  const password = randomBytes(24).toString('hex');
  lines.push(`POSTGRES_PASSWORD=${password}`);
  if (target === 'k8s-local') values['database-url'] = `postgres://codeyard:${password}@postgres:5432/codeyard`;
}
if (target === 'vm') {
  // One database for every process on the VM; each sets its own DATABASE_SCHEMA (Procfile).
  lines.push(`DATABASE_URL=${values['database-url']}`);
} else if (values['database-url']) {
  for (const service of DATABASE_SERVICES) lines.push(`${service.toUpperCase()}_DATABASE_URL=${values['database-url']}`);
}
console.log(lines.join('\n'));

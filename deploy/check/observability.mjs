#!/usr/bin/env node
// Checks deploy/observability with promtool (Debian's `prometheus` package): the scrape config,
// the alert rules, their unit tests (each alert fires on the series that should raise it), and
// every query of the Grafana dashboard (parsed by promtool as recording rules).
//   node deploy/check/observability.mjs          (CI: .ci/run)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'observability');
/** Runs promtool; on failure prints what it said (its test failures go to stdout) and exits. */
function promtool(...args) {
  try {
    return execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    console.error(`promtool ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    process.exit(1);
  }
}

promtool('check', 'config', 'prometheus.yml');
console.log(promtool('check', 'rules', 'alerts.yaml').trim().split('\n').at(-1).trim(), 'in alerts.yaml');
promtool('test', 'rules', 'alerts.test.yaml');
console.log('alerts.test.yaml: every alert test passed');

// Grafana's variables are not PromQL: give them the values Grafana would.
const dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8'));
const queries = dashboard.panels.flatMap((panel) =>
  panel.targets.map((target) => ({ panel: panel.title, expr: target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$service', '.*') })),
);
const scratch = mkdtempSync(join(tmpdir(), 'codeyard-dashboard-'));
try {
  const rules = queries.map((query, index) => `      - record: dashboard_query_${index}\n        expr: ${JSON.stringify(query.expr)}`);
  writeFileSync(join(scratch, 'queries.yaml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
  promtool('check', 'rules', join(scratch, 'queries.yaml'));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`grafana-dashboard.json: ${dashboard.panels.length} panels, ${queries.length} queries, all valid PromQL`);

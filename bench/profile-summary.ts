// npx tsx bench/profile-summary.ts <file.cpuprofile>… — where the CPU of a `node --cpu-prof` run
// went: self time by package (node_modules/<name>, node:<module>, our own files) and the busiest
// functions. `npm run bench -- --profile <dir>` writes one profile per process of the system.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1] as string;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const ours = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (ours) return `codeyard ${ours[1]}/${ours[2]}`;
  return url;
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const busy = [...selfUs.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName !== '(idle)');
  const total = busy.reduce((sum, [, us]) => sum + us, 0);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of busy) {
    const { callFrame } = byId.get(id) as ProfileNode;
    const who = owner(callFrame.url, callFrame.functionName);
    byOwner.set(who, (byOwner.get(who) ?? 0) + us);
    const name = `${callFrame.functionName || '(anonymous)'} ${who}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  console.log(`\n${basename(file)}: ${(total / 1e6).toFixed(2)} s of CPU sampled (idle excluded)`);
  console.log('  self time by owner:');
  for (const [who, us] of [...byOwner.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`   ${pct(us)}  ${who}`);
  console.log('  busiest functions (self):');
  for (const [name, us] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`   ${pct(us)}  ${name}`);
}

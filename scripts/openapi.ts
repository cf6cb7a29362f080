// Regenerates docs/openapi.json — the merged public API document the gateway serves — from the
// built system. e2e/openapi.test.ts fails when the committed copy is stale. Run: npm run openapi
import { writeFileSync } from 'node:fs';
import { launchSystem } from '../e2e/launch.js';

const system = await launchSystem();
try {
  const response = await fetch(`${system.baseUrl}/api/v1/openapi.json`);
  if (!response.ok) throw new Error(`the gateway answered ${response.status}`);
  const document = (await response.json()) as { paths: Record<string, unknown> };
  writeFileSync(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
  console.log(`docs/openapi.json: ${Object.keys(document.paths).length} paths`);
} finally {
  await system.stop();
}

// The image's HEALTHCHECK: is this container's service alive? Liveness only (/health), never
// readiness, so a container is not marked unhealthy because its database or a peer is down.
import { SERVICES } from '../scripts/services.mjs';

const service = process.env.SERVICE ?? '';
const known = SERVICES.find((candidate) => candidate.name === service);
// Without PORT a service listens on its default: the gateway's 8080 plus its offset.
const port = process.env.PORT ?? (known ? String(8080 + known.offset) : undefined);
if (!port) {
  console.error(`healthcheck: unknown SERVICE "${service}" and no PORT`);
  process.exit(1);
}

try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4_000) });
  // The gateway's /health sums up every service and answers 503 while one of them is down;
  // any answer from it still means the gateway process itself is alive.
  const alive = response.ok || (service === 'gateway' && response.status === 503);
  if (!alive) console.error(`healthcheck: /health answered ${response.status}`);
  process.exit(alive ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

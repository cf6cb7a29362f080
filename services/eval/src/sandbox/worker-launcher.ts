import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { enginePackagesFor, findInstalledPackage } from './engine-packages.js';
import type { EngineKind, IsolationMode } from './types.js';
import type { WorkerConfig } from './worker/worker-main.js';

const execFileAsync = promisify(execFile);

const NOBODY_UID = 65534;
const NOBODY_GID = 65534;
const BWRAP_PATH = '/usr/bin/bwrap';
const UNSHARE_PATH = '/usr/bin/unshare';

/** Heap for the worker's own JavaScript; guest memory lives in wasm memory, capped separately. */
const MAX_OLD_SPACE_MB: Record<EngineKind, number> = { quickjs: 128, pyodide: 384 };
const RECYCLE_ABOVE_RSS_MB: Record<EngineKind, number> = { quickjs: 1024, pyodide: 1536 };

export interface WorkerLauncher {
  readonly isolation: IsolationMode;
  readonly isolationNote: string;
  readonly dropsPrivileges: boolean;
  spawnWorker(kind: EngineKind): ChildProcess;
  dispose(): Promise<void>;
}

/**
 * Prepares everything needed to start workers: the worker bundled into one file in a private
 * temporary folder (so it runs the same from `src/` under Vitest and from `dist/`, and so the
 * permission model can allow reading exactly that file), the engine packages it may read, and
 * the strongest confinement this host supports.
 */
export async function prepareWorkerLauncher(options: { defaultMemoryMb: number }): Promise<WorkerLauncher> {
  const bundleDirectory = await mkdtemp(join(tmpdir(), 'codeyard-eval-worker-'));
  try {
    const bundleFile = join(bundleDirectory, 'worker.mjs');
    await bundleWorker(bundleFile);
    const runsAsRoot = process.getuid?.() === 0;
    if (runsAsRoot) {
      // The worker runs as nobody and must still be able to read its bundle.
      await chmod(bundleDirectory, 0o755);
      await chmod(bundleFile, 0o644);
    }
    const confinement = await probeConfinement(runsAsRoot);
    const stack = stackSizes();
    const pyodideDirectory = findInstalledPackage('pyodide').directory;
    const quickjsVariantDirectory = findInstalledPackage(
      '@jitl/quickjs-wasmfile-release-sync',
      findInstalledPackage('quickjs-emscripten').directory,
    ).directory;
    return {
      isolation: confinement.mode,
      isolationNote: confinement.note,
      dropsPrivileges: runsAsRoot,
      spawnWorker(kind) {
        const config: WorkerConfig = {
          kind,
          pyodideIndexURL: `${pyodideDirectory}/`,
          quickjsWasmPath: join(quickjsVariantDirectory, 'dist', 'emscripten-module.wasm'),
          quickjsMaxStackBytes: stack.quickjsMaxStackBytes,
          defaultMemoryMb: options.defaultMemoryMb,
          recycleAboveRssBytes: RECYCLE_ABOVE_RSS_MB[kind] * 1024 * 1024,
        };
        const nodeArguments = [...workerNodeFlags(kind, bundleFile, stack.v8StackKb), bundleFile, JSON.stringify(config)];
        const [command, commandArguments] = confinement.wrap(process.execPath, nodeArguments);
        return spawn(command, commandArguments, {
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          env: {},
          cwd: bundleDirectory,
          ...(confinement.dropUidInSpawn && runsAsRoot ? { uid: NOBODY_UID, gid: NOBODY_GID } : {}),
        });
      },
      async dispose() {
        await rm(bundleDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(bundleDirectory, { recursive: true, force: true });
    throw error;
  }
}

function workerEntryFile(): string {
  const directory = dirname(fileURLToPath(import.meta.url));
  for (const candidate of ['worker/worker-main.js', 'worker/worker-main.ts']) {
    const path = join(directory, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`The sandbox worker entry is missing next to ${directory}`);
}

/** Engine packages stay outside the bundle (they load wasm files next to themselves), imported by absolute URL. */
function engineImportsByAbsoluteUrl(): Plugin {
  const entries: Record<string, string> = {
    'quickjs-emscripten': pathToFileURL(findInstalledPackage('quickjs-emscripten').esmEntry).href,
    pyodide: pathToFileURL(findInstalledPackage('pyodide').esmEntry).href,
  };
  return {
    name: 'engine-imports-by-absolute-url',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^(quickjs-emscripten|pyodide)$/ }, (args) => ({
        path: entries[args.path] ?? args.path,
        external: true,
      }));
    },
  };
}

async function bundleWorker(outfile: string): Promise<void> {
  await build({
    entryPoints: [workerEntryFile()],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [engineImportsByAbsoluteUrl()],
  });
}

function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

function workerNodeFlags(kind: EngineKind, bundleFile: string, v8StackKb: number | undefined): string[] {
  const readable = [bundleFile, ...enginePackagesFor(kind).map((installed) => `${installed.directory}/`)];
  const flags = [
    permissionFlag(),
    ...readable.map((path) => `--allow-fs-read=${path}`),
    // Even if guest code reached the worker's JavaScript, it could not compile new code from strings.
    '--disallow-code-generation-from-strings',
    '--disable-proto=delete',
    '--no-addons',
    '--no-experimental-fetch',
    `--max-old-space-size=${MAX_OLD_SPACE_MB[kind]}`,
  ];
  if (process.allowedNodeEnvironmentFlags.has('--disable-warning')) flags.push('--disable-warning=ExperimentalWarning');
  if (kind === 'pyodide') flags.push('--expose-gc');
  if (v8StackKb !== undefined) flags.push(`--stack-size=${v8StackKb}`);
  return flags;
}

/**
 * QuickJS checks its own stack limit, but its frames live on the V8 native stack, so the limit
 * must stay well below V8's. When the OS allows a bigger main-thread stack we raise both, which
 * lets ordinary recursive solutions go several thousand calls deep.
 */
function stackSizes(): { v8StackKb: number | undefined; quickjsMaxStackBytes: number } {
  const defaultV8StackKb = 984;
  const limitKb = mainThreadStackLimitKb();
  const v8StackKb = limitKb === undefined ? undefined : Math.min(3900, Math.floor(limitKb * 0.45));
  if (v8StackKb === undefined || v8StackKb <= defaultV8StackKb) {
    return { v8StackKb: undefined, quickjsMaxStackBytes: 240 * 1024 };
  }
  return { v8StackKb, quickjsMaxStackBytes: Math.floor(v8StackKb / 4) * 1024 };
}

function mainThreadStackLimitKb(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max stack size\s+(\S+)/m.exec(limits)?.[1];
    if (!soft) return undefined;
    return soft === 'unlimited' ? 8192 : Math.floor(Number(soft) / 1024);
  } catch {
    return undefined;
  }
}

interface Confinement {
  mode: IsolationMode;
  note: string;
  /** Whether the spawn itself should switch to the unprivileged uid (unshare switches on its own). */
  dropUidInSpawn: boolean;
  wrap(command: string, commandArguments: string[]): [string, string[]];
}

async function commandSucceeds(command: string, commandArguments: string[], asNobody: boolean): Promise<boolean> {
  try {
    await execFileAsync(command, commandArguments, {
      timeout: 5_000,
      env: {},
      ...(asNobody ? { uid: NOBODY_UID, gid: NOBODY_GID } : {}),
    });
    return true;
  } catch {
    return false;
  }
}

/** Tried once per pool: bubblewrap, then a bare network namespace, then nothing beyond the permission model. */
async function probeConfinement(runsAsRoot: boolean): Promise<Confinement> {
  const bwrapArguments = ['--unshare-all', '--die-with-parent', '--new-session', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  if (existsSync(BWRAP_PATH) && (await commandSucceeds(BWRAP_PATH, [...bwrapArguments, '--', 'true'], runsAsRoot))) {
    return {
      mode: 'bwrap',
      note: 'workers run in bubblewrap: new network, pid, ipc and uts namespaces, read-only root',
      dropUidInSpawn: true,
      wrap: (command, commandArguments) => [BWRAP_PATH, [...bwrapArguments, '--', command, ...commandArguments]],
    };
  }
  const unshareArguments = runsAsRoot
    ? ['--net', `--setuid=${NOBODY_UID}`, `--setgid=${NOBODY_GID}`]
    : ['--user', '--map-root-user', '--net'];
  if (existsSync(UNSHARE_PATH) && (await commandSucceeds(UNSHARE_PATH, [...unshareArguments, '--', 'true'], false))) {
    return {
      mode: 'unshare',
      note: 'bubblewrap is not available; workers run in their own network namespace (unshare), so they have no network',
      dropUidInSpawn: false,
      wrap: (command, commandArguments) => [UNSHARE_PATH, [...unshareArguments, '--', command, ...commandArguments]],
    };
  }
  return {
    mode: 'none',
    note:
      'neither bubblewrap nor unshare works here: workers rely on the Node permission model and the engines alone; ' +
      'Node 20 does not restrict the network',
    dropUidInSpawn: true,
    wrap: (command, commandArguments) => [command, commandArguments],
  };
}

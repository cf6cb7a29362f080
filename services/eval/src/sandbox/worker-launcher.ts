import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { enginePackagesFor, findInstalledPackage } from './engine-packages.js';
import { seccompFilterFor } from './seccomp-filter.js';
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
export async function prepareWorkerLauncher(options: {
  defaultMemoryMb: number;
  /** Tests only: the strongest mode is used unless one is named here (it must work on this host). */
  isolation?: IsolationMode;
  /** Tests only: a different worker program, started exactly as the real one is. */
  workerEntry?: string;
}): Promise<WorkerLauncher> {
  const bundleDirectory = realpathSync(await mkdtemp(join(tmpdir(), 'codeyard-eval-worker-')));
  try {
    const bundleFile = join(bundleDirectory, 'worker.mjs');
    await bundleWorker(bundleFile, options.workerEntry ?? workerEntryFile());
    const seccompFile = join(bundleDirectory, 'seccomp.bpf');
    const seccompFilter = seccompFilterFor();
    if (seccompFilter) await writeFile(seccompFile, seccompFilter);
    const runsAsRoot = process.getuid?.() === 0;
    if (runsAsRoot) {
      // The worker runs as nobody and must still be able to read its bundle.
      await chmod(bundleDirectory, 0o755);
      await chmod(bundleFile, 0o644);
    }
    const confinement = await probeConfinement(runsAsRoot, {
      bundleDirectory,
      seccompFile: seccompFilter ? seccompFile : undefined,
      only: options.isolation,
    });
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
        return confinement.spawn(
          process.execPath,
          nodeArguments,
          enginePackagesFor(kind).map((installed) => installed.directory),
        );
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

async function bundleWorker(outfile: string, entry: string): Promise<void> {
  await build({
    entryPoints: [entry],
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
  /** Starts `command` confined, able to see (bwrap) the given directories besides Node and the bundle. */
  spawn(command: string, commandArguments: string[], readableDirectories: string[]): ChildProcess;
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

/** Resolves once `child` exits, with whether it exited with status 0. */
function exitedCleanly(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.on('error', () => resolve(false));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** The files Node needs to start: the binary, its shared libraries and the dynamic loader (from ldd). */
async function nodeRuntimeFiles(): Promise<string[]> {
  const files = new Set([realpathSync(process.execPath)]);
  const { stdout } = await execFileAsync('ldd', [process.execPath], { timeout: 5_000, env: {} });
  for (const match of stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) files.add(match[1] as string);
  return [...files];
}

/**
 * Tried once per pool, strongest first. bubblewrap: an empty root with only Node, its libraries,
 * the worker bundle and the engine packages bound read-only; new user, pid, network, ipc, uts and
 * cgroup namespaces; uid nobody inside; no capabilities; an empty environment; a private /tmp;
 * the seccomp filter. Then a bare network namespace (unshare), then nothing beyond the permission
 * model. Every mode also runs the worker as nobody when the service runs as root.
 */
async function probeConfinement(
  runsAsRoot: boolean,
  setup: { bundleDirectory: string; seccompFile: string | undefined; only: IsolationMode | undefined },
): Promise<Confinement> {
  const wanted = (mode: IsolationMode) => setup.only === undefined || setup.only === mode;
  const asNobody = runsAsRoot ? { uid: NOBODY_UID, gid: NOBODY_GID } : {};
  if (wanted('bwrap') && existsSync(BWRAP_PATH)) {
    const runtimeFiles = await nodeRuntimeFiles().catch(() => undefined);
    if (runtimeFiles) {
      const bwrapArguments = (readableDirectories: string[]) => [
        '--unshare-all',
        '--unshare-user',
        '--uid',
        String(NOBODY_UID),
        '--gid',
        String(NOBODY_GID),
        '--die-with-parent',
        '--new-session',
        '--cap-drop',
        'ALL',
        '--clearenv',
        // Node finds its IPC channel through this variable; nothing else of the environment is kept.
        '--setenv',
        'NODE_CHANNEL_FD',
        '3',
        '--dev',
        '/dev',
        '--proc',
        '/proc',
        // Before the binds: the bundle itself lives under the host's /tmp.
        '--tmpfs',
        '/tmp',
        ...[...runtimeFiles, setup.bundleDirectory, ...readableDirectories].flatMap((path) => ['--ro-bind', path, path]),
        '--chdir',
        setup.bundleDirectory,
        ...(setup.seccompFile ? ['--seccomp', '4'] : []),
      ];
      const spawnInBwrap = (command: string, commandArguments: string[], readableDirectories: string[]) => {
        const filterFd = setup.seccompFile ? openSync(setup.seccompFile, 'r') : undefined;
        try {
          return spawn(BWRAP_PATH, [...bwrapArguments(readableDirectories), '--', command, ...commandArguments], {
            stdio: ['ignore', 'pipe', 'pipe', 'ipc', ...(filterFd === undefined ? [] : [filterFd])],
            env: {},
            cwd: setup.bundleDirectory,
            ...asNobody,
          });
        } finally {
          if (filterFd !== undefined) closeSync(filterFd);
        }
      };
      if (await exitedCleanly(spawnInBwrap(process.execPath, ['-e', '0'], []))) {
        return {
          mode: 'bwrap',
          note:
            'workers run in bubblewrap: only Node, the worker bundle and the engine packages visible; new user, pid, network, ' +
            `ipc and uts namespaces; uid nobody; no capabilities; empty environment; ${setup.seccompFile ? 'seccomp filter' : `no seccomp filter on ${process.arch}`}`,
          spawn: spawnInBwrap,
        };
      }
    }
  }
  const unshareArguments = runsAsRoot
    ? ['--net', `--setuid=${NOBODY_UID}`, `--setgid=${NOBODY_GID}`]
    : ['--user', '--map-root-user', '--net'];
  if (wanted('unshare') && existsSync(UNSHARE_PATH) && (await commandSucceeds(UNSHARE_PATH, [...unshareArguments, '--', 'true'], false))) {
    return {
      mode: 'unshare',
      note: 'bubblewrap is not available; workers run in their own network namespace (unshare), so they have no network',
      spawn: (command, commandArguments) =>
        spawn(UNSHARE_PATH, [...unshareArguments, '--', command, ...commandArguments], {
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          env: {},
          cwd: setup.bundleDirectory,
        }),
    };
  }
  if (!wanted('none')) throw new Error(`The sandbox isolation mode ${setup.only} does not work on this host`);
  return {
    mode: 'none',
    note:
      'neither bubblewrap nor unshare works here: workers rely on the Node permission model and the engines alone; ' +
      'Node 20 does not restrict the network',
    spawn: (command, commandArguments) =>
      spawn(command, commandArguments, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: {}, cwd: setup.bundleDirectory, ...asNobody }),
  };
}

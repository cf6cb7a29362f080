import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as esbuildVersion } from 'esbuild';
import type { EngineKind, LanguageInfo } from './types.js';

interface PackageManifest {
  name?: string;
  version?: string;
  main?: string;
  module?: string;
  exports?: unknown;
}

/** An installed npm package: where it is and the file `import` resolves to. */
export interface InstalledPackage {
  name: string;
  directory: string;
  version: string;
  esmEntry: string;
}

const thisDirectory = dirname(fileURLToPath(import.meta.url));

/** Finds a package the way Node does: node_modules folders from `fromDirectory` upwards. */
export function findInstalledPackage(name: string, fromDirectory = thisDirectory): InstalledPackage {
  let directory = fromDirectory;
  for (;;) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return describePackage(name, realpathSync(candidate));
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`The sandbox needs the npm package '${name}', which is not installed`);
    directory = parent;
  }
}

function describePackage(name: string, directory: string): InstalledPackage {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as PackageManifest;
  return { name, directory, version: manifest.version ?? 'unknown', esmEntry: join(directory, esmEntryOf(manifest)) };
}

function esmEntryOf(manifest: PackageManifest): string {
  const rootExport = (manifest.exports as Record<string, unknown> | undefined)?.['.'];
  if (typeof rootExport === 'string') return rootExport;
  if (rootExport && typeof rootExport === 'object') {
    const conditions = rootExport as Record<string, unknown>;
    const importTarget = conditions.import ?? conditions.default;
    if (typeof importTarget === 'string') return importTarget;
    if (importTarget && typeof importTarget === 'object') {
      const nested = (importTarget as Record<string, unknown>).default;
      if (typeof nested === 'string') return nested;
    }
  }
  return manifest.module ?? manifest.main ?? 'index.js';
}

/** The packages a worker of each kind loads; their folders are all it may read besides its own bundle. */
export function enginePackagesFor(kind: EngineKind): InstalledPackage[] {
  if (kind === 'pyodide') return [findInstalledPackage('pyodide')];
  const quickjs = findInstalledPackage('quickjs-emscripten');
  // quickjs-emscripten imports the descriptors of all its variants; only release-sync is loaded.
  const dependencies = [
    'quickjs-emscripten-core',
    '@jitl/quickjs-ffi-types',
    '@jitl/quickjs-wasmfile-release-sync',
    '@jitl/quickjs-wasmfile-release-asyncify',
    '@jitl/quickjs-wasmfile-debug-sync',
    '@jitl/quickjs-wasmfile-debug-asyncify',
  ];
  return [quickjs, ...dependencies.map((name) => findInstalledPackage(name, quickjs.directory))];
}

/** The bundled QuickJS release, as its package README states it (e.g. "2024-02-14+36911f0d"). */
function quickJsRelease(): string | undefined {
  try {
    const variant = findInstalledPackage('@jitl/quickjs-wasmfile-release-sync', findInstalledPackage('quickjs-emscripten').directory);
    const readme = readFileSync(join(variant.directory, 'README.md'), 'utf8');
    return /Version \[([^\]]+)\]/.exec(readme)?.[1];
  } catch {
    return undefined;
  }
}

function pyodidePythonVersion(pyodideDirectory: string): string | undefined {
  try {
    const lock = JSON.parse(readFileSync(join(pyodideDirectory, 'pyodide-lock.json'), 'utf8')) as { info?: { python?: string } };
    return lock.info?.python;
  } catch {
    return undefined;
  }
}

export function describeLanguages(): LanguageInfo[] {
  const quickjs = findInstalledPackage('quickjs-emscripten');
  const pyodide = findInstalledPackage('pyodide');
  const quickJsVersion = `QuickJS ${quickJsRelease() ?? ''} (quickjs-emscripten ${quickjs.version})`.replace('  ', ' ');
  return [
    { language: 'javascript', version: quickJsVersion },
    { language: 'typescript', version: `types stripped by esbuild ${esbuildVersion}, run on ${quickJsVersion}` },
    { language: 'python', version: `${pyodidePythonVersion(pyodide.directory) ?? '3'} (Pyodide ${pyodide.version})` },
  ];
}

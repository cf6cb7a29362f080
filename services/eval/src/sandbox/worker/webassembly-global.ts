/**
 * The slice of the WebAssembly global the workers use. The project compiles without DOM types,
 * and @types/node does not declare these.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, unknown>>;

interface WebAssemblyGlobal {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: abstract new (...args: never[]) => WasmInstance;
  RuntimeError: abstract new (...args: never[]) => Error;
  instantiate(source: unknown, imports?: WasmImports): Promise<unknown>;
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyGlobal }).WebAssembly;

import { BackendError } from '../core/errors.js';
import type { BuildName } from './backend.js';
import { wasmFiles } from '../../wasm-files.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

// One code path that instantiates the kernels in Node and in the browser. The wasm files are
// addressed from wasm-files.js at the package root, as `new URL('./build/….wasm', import.meta.url)`
// literals: a file: URL in Node (read with node:fs, since Node 20's fetch rejects file: URLs), an
// http URL that Vite or webpack rewrite and serve in the browser, or — under esbuild, which leaves
// the literal alone — the build/ folder beside the bundle. A URL of a folder (ending in '/') in
// `init({ wasm })` names where the files are instead; a relative one is read as fetch reads it in
// a page (against the page's address) and against the current directory in Node. It is never
// resolved with `new URL(…, import.meta.url)`: webpack takes that pattern for an asset to emit
// and warns ("Critical dependency") when the first argument is not a literal.

function defaultUrl(build: BuildName): URL {
  return wasmFiles[build]();
}

/** The file of `build` when `source` is a folder's URL (ending in '/'), else `source` itself. */
async function sourceUrl(build: BuildName, source: URL | string): Promise<URL> {
  const url = new URL(source, await baseUrl());
  return url.pathname.endsWith('/') && url.search === '' ? new URL(`descent-${build}.wasm`, url) : url;
}

/** What a relative `init({ wasm })` is relative to: the page (or worker) in a browser, the current directory in Node. */
async function baseUrl(): Promise<string> {
  const location = (globalThis as { location?: { href: string } }).location;
  if (location !== undefined) return location.href;
  const { pathToFileURL } = await importNodeBuiltin<typeof import('node:url')>('node:url');
  return pathToFileURL(`${process.cwd()}/`).href;
}

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)) — validates only where
// fixed-width SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

/** Whether this host's WebAssembly supports 128-bit SIMD. */
export function hostSupportsSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// (module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))
// — validates only where relaxed SIMD is supported.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 0, 32, 0,
  253, 133, 2, 11,
]);

/** Whether this host's WebAssembly supports relaxed SIMD (the opt-in 'relaxed' build). */
export function hostSupportsRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

async function readBytes(url: URL): Promise<ArrayBuffer | Uint8Array | Response> {
  if (url.protocol === 'file:') {
    const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    return fs.readFile(url);
  }
  const response = await fetch(url);
  // A plain Error: loadError turns it into the BackendError that says where the file should be.
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response;
}

/**
 * Compiles a kernel build. `source` overrides where the wasm comes from. The module is kept by
 * the threads build, whose workers each instantiate it over the shared memory.
 */
export async function compileKernels(
  build: BuildName,
  source?: URL | string | ArrayBuffer | Uint8Array,
): Promise<WebAssembly.Module> {
  let url: URL | undefined;
  try {
    if (!(source instanceof ArrayBuffer || source instanceof Uint8Array)) {
      url = source === undefined ? defaultUrl(build) : await sourceUrl(build, source);
    }
    const input = url === undefined ? (source as ArrayBuffer | Uint8Array) : await readBytes(url);
    if (input instanceof Response) {
      // compileStreaming insists on the application/wasm content type; fall back otherwise.
      if (input.headers.get('content-type')?.startsWith('application/wasm')) {
        return await WebAssembly.compileStreaming(input);
      }
      return await WebAssembly.compile(await input.arrayBuffer());
    }
    return await WebAssembly.compile(input as BufferSource);
  } catch (cause) {
    throw loadError(build, source, cause, url);
  }
}

/** Instantiates a compiled kernel build over `memory`. */
export async function instantiateKernels(
  build: BuildName,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  source?: URL | string | ArrayBuffer | Uint8Array,
): Promise<WebAssembly.Instance> {
  try {
    return await WebAssembly.instantiate(module, { env: { memory } });
  } catch (cause) {
    throw loadError(build, source, cause);
  }
}

/**
 * The error of a build that did not load: which build, from where (`url`, the file tried, when
 * known), why, and — for the package's own files — what puts them where they are looked for.
 */
function loadError(build: BuildName, source: unknown, cause: unknown, url?: URL): BackendError {
  if (cause instanceof BackendError) return cause;
  const where = url?.href ?? (source === undefined ? defaultUrl(build).href : source instanceof ArrayBuffer || source instanceof Uint8Array ? 'the bytes given' : String(source));
  const own = source === undefined ? defaultUrl(build) : null;
  const hint = own === null
    ? ''
    : own.protocol === 'file:'
      ? ' Run `npm run build:wasm` if the file is missing.'
      : ' If your bundler did not emit it (esbuild does not follow `new URL(…, import.meta.url)`), ' +
        "copy node_modules/descent/build/ beside the bundle, or pass init({ wasm: '<URL of the folder with the .wasm files>/' }).";
  const reason = String((cause as Error)?.message ?? cause).replace(/\.$/, '');
  return new BackendError(`could not load the ${build} wasm build (${where}): ${reason}.${hint}`);
}

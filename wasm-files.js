// Where the kernel builds are: beside this file, in build/. The URLs are written as
// `new URL('./build/….wasm', import.meta.url)` literals so that bundlers which follow that
// pattern (Vite, webpack 5, Rollup, Parcel) emit the files and rewrite the URLs with no
// configuration; a bundler that does not (esbuild) leaves the URL relative to its bundle, so the
// build/ folder copied beside the bundle is found. Node reads them from the package.

/** @type {Record<'simd' | 'scalar' | 'threads' | 'relaxed' | 'relaxed-threads', () => URL>} */
export const wasmFiles = {
  simd: () => new URL('./build/descent-simd.wasm', import.meta.url),
  scalar: () => new URL('./build/descent-scalar.wasm', import.meta.url),
  threads: () => new URL('./build/descent-threads.wasm', import.meta.url),
  relaxed: () => new URL('./build/descent-relaxed.wasm', import.meta.url),
  'relaxed-threads': () => new URL('./build/descent-relaxed-threads.wasm', import.meta.url),
};

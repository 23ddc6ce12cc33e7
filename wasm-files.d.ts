/** The URL of each kernel build (see wasm-files.js). */
export declare const wasmFiles: Record<'simd' | 'scalar' | 'threads' | 'relaxed' | 'relaxed-threads', () => URL>;

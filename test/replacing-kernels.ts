import { expect } from 'vitest';
import { CONFIGS, use } from './helpers.js';

// Kernels that replace others with the same bits (the direct and depthwise convolutions instead of
// im2col + gemm) are held to them the same way: every sample on every backend, checked against a
// reference from the definition, bit for bit against the kernels they replace (wasm builds only:
// the js backend's gemm is a float64 reference) and against the first backend's outputs.

/** `run(sample, replaced)`: the new kernels' outputs, or (replaced) those of the kernels they replace. */
export async function expectReplacingKernels<S>(
  samples: readonly S[],
  run: (sample: S, replaced: boolean) => Float32Array[],
  check: (sample: S, out: Float32Array[], what: string) => void,
  same: (a: Float32Array, b: Float32Array, what: string) => void = (a, b, what) => expect(bitsOf(a), what).toEqual(bitsOf(b)),
): Promise<void> {
  const first: Float32Array[][] = [];
  for (const config of CONFIGS) {
    await use(config.options);
    samples.forEach((sample, i) => {
      const what = `${config.label}, sample ${i} ${JSON.stringify(sample)}`;
      const out = run(sample, false);
      check(sample, out, what);
      if (config.options.backend === 'wasm') run(sample, true).forEach((a, j) => same(out[j], a, `${what}: array ${j} vs im2col + gemm`));
      if (first.length <= i) first.push(out);
      else out.forEach((a, j) => same(a, first[i][j], `${what}: array ${j} vs ${CONFIGS[0].label}`));
    });
  }
}

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

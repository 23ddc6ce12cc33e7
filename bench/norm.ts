// `npx tsx bench/norm.ts [--quick]`: the normalisation and embedding layers (issue #15), forward +
// backward in training mode through the layer API (autograd included), on the wasm simd and scalar
// builds and the js backend over one heap, sampled round-robin; one thread (these kernels are not
// split). Prints µs per forward+backward and input elements per second.

import {
  init, tensor, BatchNorm1d, BatchNorm2d, LayerNorm, Embedding, Module, type Tensor,
} from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { setBackendForBenchmark } from '../src/backend/init.js';
import type { Backend } from '../src/backend/backend.js';
import { FULL, QUICK, compare, fmt, printTable } from './harness.js';

const timing = process.argv.includes('--quick') ? QUICK : FULL;

const backends: [string, Backend][] = [];
for (const [label, options] of [['wasm simd', { build: 'simd' }], ['wasm scalar', { build: 'scalar' }], ['js', { backend: 'js' }]] as const) {
  await init(options);
  backends.push([label, requireBackend()]);
}

function filled(shape: number[], f: (i: number) => number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => f(i)), shape);
}
const noise = (i: number) => Math.sin(i * 12.9898) * 2 + 1;

const cases: { name: string; layer: Module; x: Tensor }[] = [
  { name: 'BatchNorm2d(16), [32, 16, 14, 14]', layer: new BatchNorm2d(16), x: filled([32, 16, 14, 14], noise) },
  { name: 'BatchNorm2d(64), [8, 64, 32, 32]', layer: new BatchNorm2d(64), x: filled([8, 64, 32, 32], noise) },
  { name: 'BatchNorm1d(256), [128, 256]', layer: new BatchNorm1d(256), x: filled([128, 256], noise) },
  { name: 'LayerNorm(128), [32, 64, 128]', layer: new LayerNorm(128), x: filled([32, 64, 128], noise) },
  { name: 'Embedding(1000, 64), [32, 16]', layer: new Embedding(1000, 64), x: filled([32, 16], (i) => (i * 37) % 1000) },
];

const rows: string[][] = [];
for (const c of cases) {
  if (!(c.layer instanceof Embedding)) c.x.requiresGrad_();
  const grad = filled(c.x.shape.concat(c.layer instanceof Embedding ? [64] : []), (i) => Math.cos(i));
  const step = (backend: Backend) => () => {
    setBackendForBenchmark(backend);
    c.layer.forward(c.x).backward(grad);
  };
  const seconds = compare(backends.map(([, b]) => step(b)), timing);
  rows.push([c.name, ...seconds.flatMap((s) => [fmt(s * 1e6, 0), fmt(c.x.size / s / 1e6, 0)])]);
  process.stderr.write(`  ${c.name}\n`);
}
setBackendForBenchmark(backends[0][1]);
printTable(
  'Normalisation and embedding layers: forward + backward (training mode), one thread',
  ['layer, input', ...backends.flatMap(([label]) => [`${label} µs`, 'M elem/s'])],
  rows,
);

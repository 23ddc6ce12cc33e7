// Three changes to LeNet's convolutions, each prototyped from the existing kernels before building
// it, and measured against the way the layers run now (docs/threads.md has the figures; none was
// built). Not part of `npm run bench`; run alone:
//   npx tsx bench/conv-prototypes.ts [batch]
// 1. conv → bias → ReLU → 2×2 max pool on chunks of samples through a small scratch map, instead
//    of writing the whole batch's full-size map and pooling it (one thread).
// 2. conv2's backward (pool backward, weight gradient, bias sums, input gradient) on chunks of
//    samples through a chunk-sized dz, instead of the whole batch's (one and two threads).
// 3. A stride-1 convolution's input gradient as im2col of dz + one gemm with the flipped kernel
//    (k = out channels · 9), instead of gemm (k = out channels) + col2im (one thread; timing only:
//    the weights are not flipped).
import { init, randn, zeros, type Tensor } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { sampleBlocks, workspace, WEIGHT_GRAD_BLOCK } from '../src/nn/conv-common.js';
import { median } from './median.js';

const n = Number(process.argv[2] ?? 128);
await init({ threads: 2 }); // a shared heap, so that part 2 can switch thread counts
const kernels = () => requireBackend();
const at = (t: Tensor, floats: number) => t.offset + floats * 4;

/** Median ms of `a` and `b`, their windows taken in turn (`threads` switched before each round). */
async function compare(a: () => void, b: () => void, threads = 1): Promise<[number, number]> {
  const ra: number[] = [], rb: number[] = [];
  for (let round = 0; round < 15; round++) {
    await init({ threads });
    for (const [f, into] of [[a, ra], [b, rb]] as const) {
      f();
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) f();
      into.push((performance.now() - t0) / 10);
    }
  }
  return [median(ra), median(rb)];
}

// LeNet's two convolutions: conv1 1→8 28×28 (direct kernels), conv2 8→16 14×14 (im2col + gemm).
const CHUNK = 16;
{
  const [c, cout, h, w] = [1, 8, 28, 28], l = h * w;
  const x = randn([n, c, h, w]), z = zeros([n, cout, h, w]), scratch = zeros([CHUNK, cout, h, w]);
  const y = zeros([n, cout, 14, 14]), idx = zeros([n, cout, 14, 14]), weight = randn([cout, c, 3, 3]), bias = randn([cout]);
  const geometry = [c, h, w, 3, 3, 1, 1, 1, 1, h, w, cout] as const;
  const run = (from: number, count: number, map: Tensor) => {
    const k = kernels();
    const [bytes, work] = workspace(k, 0, 0, 0, Math.ceil((c * 30 * 30) / 16) * 16 + cout * 9 * 4);
    k.convDirectForward(at(x, from * c * l), map.offset, map.offset, c * l, cout * l, count, ...geometry, weight.offset, bias.offset, 0, 0, work, bytes);
    k.maxPool2x2Forward(map.offset, count * cout, 14, 14, at(y, from * cout * 196), at(idx, from * cout * 196), 1, l, 196);
  };
  const [whole, chunked] = await compare(() => run(0, n, z), () => { for (let s = 0; s < n; s += CHUNK) run(s, CHUNK, scratch); });
  console.log(`1. conv1 + ReLU + pool b${n}: whole batch ${whole.toFixed(3)} ms, chunks of ${CHUNK} ${chunked.toFixed(3)} ms`);
}
const [c, cout, h, w] = [8, 16, 14, 14], l = h * w, kk = c * 9, xs = c * l, zs = cout * l;
const conv2 = [c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, h, w, 1, cout] as const;
const x = randn([n, c, h, w]), weight = randn([cout, c, 3, 3]), bias = randn([cout]);
{
  const z = zeros([n, cout, h, w]), scratch = zeros([CHUNK, cout, h, w]), y = zeros([n, cout, 7, 7]), idx = zeros([n, cout, 7, 7]);
  const run = (from: number, count: number, map: Tensor) => {
    const k = kernels();
    const [bytes, work] = workspace(k, cout, l, kk, kk * l);
    k.convForward(at(x, from * xs), map.offset, xs, zs, count, ...conv2, weight.offset, 0, work, bytes);
    k.channelBiasActivation(map.offset, count, cout, l, bias.offset, 0, 0, map.offset, zs);
    k.maxPool2x2Forward(map.offset, count * cout, 7, 7, at(y, from * cout * 49), at(idx, from * cout * 49), 1, l, 49);
  };
  const [whole, chunked] = await compare(() => run(0, n, z), () => { for (let s = 0; s < n; s += CHUNK) run(s, CHUNK, scratch); });
  console.log(`1. conv2 + bias + ReLU + pool b${n}: whole batch ${whole.toFixed(3)} ms, chunks of ${CHUNK} ${chunked.toFixed(3)} ms`);
}
{
  const dy = randn([n, cout, 7, 7]), y = randn([n, cout, 7, 7]), idx = zeros([n, cout, 7, 7]), dzWhole = zeros([n, cout, h, w]), dx = zeros([n, c, h, w]);
  const partial = zeros([Math.ceil(n / WEIGHT_GRAD_BLOCK), cout * kk]), channelSums = zeros([n, cout]), dW = zeros([cout * kk]), db = zeros([cout]);
  const run = (dz: number, from: number, count: number) => {
    const k = kernels();
    k.maxPool2x2Backward(at(dy, from * cout * 49), at(idx, from * cout * 49), at(y, from * cout * 49), count * cout, 7, 7, dz, 1, l, 49);
    const wide = Math.max(cout, kk);
    const [bytes, work] = workspace(k, wide, wide, l, Math.ceil((cout * kk) / 16) * 16 + kk * l);
    sampleBlocks(count, (f, blocks, block) => k.convWeightGrad(at(x, (from + f) * xs), dz + f * zs * 4, at(partial, ((from + f) / WEIGHT_GRAD_BLOCK) * cout * kk),
      block * xs, block * zs, cout * kk, blocks, cout * block * l, c, h, w, 3, 3, 1, 1, 1, 1, 1, 1, h, w, cout, 0, xs, zs, block, work, bytes));
    k.sumCols(dz, count * cout, l, at(channelSums, from * cout), 0);
    const [inBytes, inWork] = workspace(k, kk, l, cout, kk * l);
    k.convInputGrad(dz, at(dx, from * xs), zs, xs, count, ...conv2, weight.offset, 0, inWork, inBytes);
  };
  const finish = () => {
    kernels().sumRows(partial.offset, Math.ceil(n / WEIGHT_GRAD_BLOCK), cout * kk, dW.offset, 0);
    kernels().sumRows(channelSums.offset, n, cout, db.offset, 0);
  };
  for (const chunk of [32, 64]) {
    const dzChunk = zeros([chunk, cout, h, w]);
    for (const threads of [1, 2]) {
      const [whole, chunked] = await compare(() => { run(dzWhole.offset, 0, n); finish(); }, () => { for (let s = 0; s < n; s += chunk) run(dzChunk.offset, s, chunk); finish(); }, threads);
      console.log(`2. conv2 backward b${n}, ${threads} thread${threads > 1 ? 's' : ''}: whole batch ${whole.toFixed(3)} ms, chunks of ${chunk} ${chunked.toFixed(3)} ms`);
    }
    dzChunk.dispose();
  }
}
for (const [cin, cou, side] of [[8, 16, 14], [4, 8, 28], [64, 64, 32]]) {
  const samples = cin === 64 ? 8 : n, ll = side * side, taps = cou * 9;
  const dz = randn([samples, cou, side, side]), dx = zeros([samples, cin, side, side]), wgt = randn([cou, cin, 3, 3]);
  const flipped = randn([cin, taps]), cols = zeros([taps * ll]);
  const geometry = [cin, side, side, 3, 3, 1, 1, 1, 1, 1, 1, side, side, 1, cou] as const;
  const byCols = () => {
    const k = kernels();
    const [bytes, work] = workspace(k, cin * 9, ll, cou, cin * 9 * ll);
    k.convInputGrad(dz.offset, dx.offset, cou * ll, cin * ll, samples, ...geometry, wgt.offset, 0, work, bytes);
  };
  const gemmWork = zeros([Math.ceil(kernels().gemmWorkspaceBytes(cin, ll, taps) / 4) + 16]);
  const byCorrelation = () => {
    const k = kernels();
    for (let s = 0; s < samples; s++) {
      k.im2col(at(dz, s * cou * ll), cou, side, side, 3, 3, 1, 1, 1, 1, 1, 1, side, side, cols.offset);
      k.gemm(0, 0, cin, ll, taps, 1, flipped.offset, taps, cols.offset, ll, 0, at(dx, s * cin * ll), ll, gemmWork.offset);
    }
  };
  const [now, correlation] = await compare(byCols, byCorrelation);
  console.log(`3. input gradient ${cin}→${cou} ${side}×${side} b${samples}: gemm + col2im ${now.toFixed(3)} ms, im2col of dz + gemm ${correlation.toFixed(3)} ms`);
}

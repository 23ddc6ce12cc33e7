import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, ReLU, Flatten, Linear, Sequential, CrossEntropyLoss,
  tensor, memory, OptionError, ShapeError, type Module, type Tensor,
} from '../src/index.js';
import { Adam } from '../src/optim/index.js';
import { CONFIGS, use, randomFloats } from './helpers.js';
import { gemmWorkspace, requireBackend } from '../src/core/runtime.js';
import { Act } from '../src/backend/backend.js';
import { SCRATCH_KERNELS, guardingConvScratch } from './scratch-guard.js';

// Conv2d and the pooling layers against float64 references written here from torch's definitions
// (the golden file holds a sample of PyTorch's own values; test/gradcheck.test.ts the gradients),
// then the builds against each other bit for bit over random geometries, a CNN trained on every
// build to the same bits with a flat heap, and the typed errors for bad arguments.

interface Geometry {
  n: number; cin: number; cout: number; h: number; w: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; groups: number; bias: boolean;
}

/** Random convolution geometries, output at least 1×1; sizes not multiples of 4 and 1 included. */
const geometry: fc.Arbitrary<Geometry> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), g: fc.integer({ min: 1, max: 3 }), cinG: fc.integer({ min: 1, max: 3 }), coutG: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 11 }), w: fc.integer({ min: 1, max: 13 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }),
  dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(),
}).map((r) => ({ ...r, cin: r.g * r.cinG, cout: r.g * r.coutG, groups: r.g }))
  .filter((r) => r.h + 2 * r.ph >= r.dh * (r.kh - 1) + 1 && r.w + 2 * r.pw >= r.dw * (r.kw - 1) + 1);

/**
 * Stride-1 geometries whose output is as large as the input ('same' padding, odd kernels, dilation
 * 1–2): the shapes whose im2col and input-gradient col2im go a whole plane at a time.
 */
const sameGeometry: fc.Arbitrary<Geometry> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), g: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 3 }), coutG: fc.integer({ min: 1, max: 5 }),
  h: fc.integer({ min: 1, max: 11 }), w: fc.integer({ min: 1, max: 15 }), kh: fc.constantFrom(1, 3, 5), kw: fc.constantFrom(1, 3, 5),
  dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(),
}).map((r) => ({
  ...r, cin: r.g * r.cinG, cout: r.g * r.coutG, groups: r.g, sh: 1, sw: 1, ph: (r.dh * (r.kh - 1)) >> 1, pw: (r.dw * (r.kw - 1)) >> 1,
}));

const outLen = (size: number, k: number, s: number, p: number, d: number) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

/**
 * Calls visit(yi, wi, xi) for every product of torch's cross-correlation (taps in the padding
 * skipped), output by output and each output's taps in order (ci, ki, kj): yi, wi and xi index the
 * output, the weight and the input.
 */
function eachProduct(g: Geometry, visit: (yi: number, wi: number, xi: number) => void): void {
  const oh = outLen(g.h, g.kh, g.sh, g.ph, g.dh), ow = outLen(g.w, g.kw, g.sw, g.pw, g.dw);
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  for (let s = 0; s < g.n; s++) for (let co = 0; co < g.cout; co++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const yi = ((s * g.cout + co) * oh + oy) * ow + ox, grp = Math.floor(co / coutG);
    for (let ci = 0; ci < cinG; ci++) for (let ki = 0; ki < g.kh; ki++) for (let kj = 0; kj < g.kw; kj++) {
      const iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      visit(yi, ((co * cinG + ci) * g.kh + ki) * g.kw + kj, ((s * g.cin + grp * cinG + ci) * g.h + iy) * g.w + ix);
    }
  }
}

/** The output channel of each element of an [n, cout, oh, ow] output. */
const channelOf = (g: Geometry, yi: number) => Math.floor(yi / (outLen(g.h, g.kh, g.sh, g.ph, g.dh) * outLen(g.w, g.kw, g.sw, g.pw, g.dw))) % g.cout;

/** torch's cross-correlation in float64, from the definition: the bias, then the products in order. */
function referenceConv(g: Geometry, x: Float32Array, weight: Float32Array, bias: Float32Array | null): Float64Array {
  const y = new Float64Array(g.n * g.cout * outLen(g.h, g.kh, g.sh, g.ph, g.dh) * outLen(g.w, g.kw, g.sw, g.pw, g.dw));
  if (bias) y.forEach((_, yi) => { y[yi] = bias[channelOf(g, yi)]; });
  eachProduct(g, (yi, wi, xi) => { y[yi] += weight[wi] * x[xi]; });
  return y;
}

/** The cross-correlation's gradients in float64 for an upstream gradient dy: each product of the forward's sum sent back to both factors. */
function referenceConvGrads(g: Geometry, x: Float32Array, weight: Float32Array, dy: Float32Array): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(x.length), dw = new Float64Array(weight.length), db = new Float64Array(g.cout);
  eachProduct(g, (yi, wi, xi) => {
    dx[xi] += dy[yi] * weight[wi];
    dw[wi] += dy[yi] * x[xi];
  });
  dy.forEach((d, yi) => { db[channelOf(g, yi)] += d; });
  return { dx, dw, db };
}

function conv(g: Geometry): Conv2d {
  return new Conv2d(g.cin, g.cout, [g.kh, g.kw], { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw], groups: g.groups, bias: g.bias });
}

/** Forward and backward of `layer` on x (upstream gradient from the seed): output, input and parameter gradients. */
function run(layer: Module, x: Tensor, seed: number): Float32Array[] {
  const y = layer.forward(x);
  const gy = tensor(randomFloats(y.size, seed + 7), y.shape);
  y.backward(gy);
  const out = [y.toArray(), x.grad!.toArray(), ...layer.parameters().map((p) => p.grad.toArray())];
  gy.dispose();
  return out;
}

describe('Conv2d forward against a float64 reference', () => {
  for (const config of CONFIGS) {
    it(`matches the definition on random geometries (${config.label})`, async () => {
      await use(config.options);
      fc.assert(fc.property(geometry, fc.nat(), (g, seed) => {
        const layer = conv(g);
        const x = tensor(randomFloats(g.n * g.cin * g.h * g.w, seed), [g.n, g.cin, g.h, g.w]);
        const got = layer.forward(x).toArray();
        const ref = referenceConv(g, x.toArray(), layer.weight.toArray(), layer.bias?.toArray() ?? null);
        // Terms are |x| < 1 times |w| ≤ 1/√fanIn: a float32 sum of fanIn + 1 of them errs by far less than 1e-5.
        for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i]), `output ${i}`).toBeLessThan(1e-5);
        layer.dispose(); x.dispose();
      }), { numRuns: 40, seed: 15 });
    });
  }
});

describe('a 1×1 Conv2d on a large plane (its input gradient is the gemm\'s output, with no columns)', () => {
  // The layer's plane (64 channels of 32×32) is far larger than gemm's scratch: when the kernel
  // placed gemm's workspace after room for columns that a 1×1 layer does not reserve, the scratch
  // fell on the next allocation (here the input's gradient) and the gradient came out wrong by up
  // to 0.85. Two backward passes, so the gradient buffer exists when the second one runs.
  for (const config of CONFIGS) {
    it(`input and weight gradients equal the definition in float64 (${config.label})`, async () => {
      await use(config.options);
      const cin = 64, cout = 8, l = 32 * 32;
      const layer = new Conv2d(cin, cout, 1, { bias: false });
      const xs = randomFloats(cin * l, 3), gs = randomFloats(cout * l, 4);
      const x = tensor(xs, [1, cin, 32, 32]).requiresGrad_(), gy = tensor(gs, [1, cout, 32, 32]);
      for (let pass = 0; pass < 2; pass++) layer.forward(x).backward(gy);
      const w = layer.weight.toArray(), dx = x.grad!.toArray(), dw = layer.weight.grad.toArray();
      let worstDx = 0, worstDw = 0;
      for (let ci = 0; ci < cin; ci++) {
        for (let p = 0; p < l; p++) {
          let sum = 0;
          for (let co = 0; co < cout; co++) sum += w[co * cin + ci] * gs[co * l + p];
          worstDx = Math.max(worstDx, Math.abs(dx[ci * l + p] - 2 * sum));
        }
        for (let co = 0; co < cout; co++) {
          let sum = 0;
          for (let p = 0; p < l; p++) sum += gs[co * l + p] * xs[ci * l + p];
          worstDw = Math.max(worstDw, Math.abs(dw[co * cin + ci] - 2 * sum));
        }
      }
      // Sums of 8 (dx) and 1,024 (dW) float32 products of terms below 1 in size.
      expect(worstDx).toBeLessThan(1e-5);
      expect(worstDw).toBeLessThan(1e-3);
      layer.dispose(); x.dispose(); gy.dispose();
    });
  }
});

describe('the convolution kernels keep to the scratch the layer gives them', () => {
  // test/scratch-guard.ts; test/conv-threads.test.ts does the same on the threads build.
  // Random geometries, 1×1 layers on planes up to 24×24, thin ones (the direct kernels) and depthwise ones.
  const pointwise = fc.record({
    n: fc.integer({ min: 1, max: 3 }), g: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 12 }), coutG: fc.integer({ min: 1, max: 12 }),
    h: fc.integer({ min: 1, max: 24 }), w: fc.integer({ min: 1, max: 24 }), bias: fc.boolean(),
  }).map((r) => ({ ...r, cin: r.g * r.cinG, cout: r.g * r.coutG, groups: r.g, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 }));
  const thin = fc.record({
    n: fc.integer({ min: 1, max: 9 }), cout: fc.integer({ min: 1, max: 10 }), h: fc.integer({ min: 3, max: 20 }), w: fc.integer({ min: 4, max: 20 }), bias: fc.boolean(),
  }).map((r) => ({ ...r, cin: 1, groups: 1, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 }));
  const depthwise = fc.record({
    n: fc.integer({ min: 1, max: 10 }), c: fc.integer({ min: 2, max: 9 }), m: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 5, max: 26 }),
    w: fc.integer({ min: 5, max: 26 }), k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }), bias: fc.boolean(),
  }).map((r) => ({ ...r, cin: r.c, cout: r.c * r.m, groups: r.c, kh: r.k, kw: r.k, sh: r.s, sw: r.s, ph: r.p, pw: r.p, dh: 1, dw: 1 }));
  for (const config of CONFIGS) {
    it(`on random geometries, 1×1, thin and depthwise layers included (${config.label})`, async () => {
      await use(config.options);
      const seen = guardingConvScratch(() => {
        fc.assert(fc.property(fc.oneof(geometry, pointwise, thin, depthwise), fc.nat(), (g, seed) => {
          const layer = conv(g);
          const x = tensor(randomFloats(g.n * g.cin * g.h * g.w, seed), [g.n, g.cin, g.h, g.w]).requiresGrad_();
          run(layer, x, seed);
          layer.dispose(); x.dispose();
        }), { numRuns: 60, seed: 29 });
      });
      expect(seen).toEqual(SCRATCH_KERNELS.map((k) => k.name).sort());
    });
  }
});

describe('Conv2d backward against a float64 reference', () => {
  // The builds are held to each other bit for bit below; this holds them (and the js twin) to the
  // definition, on random geometries and on 1×1 layers over larger planes.
  const pointwisePlanes = fc.record({
    n: fc.integer({ min: 1, max: 2 }), g: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 16 }), coutG: fc.integer({ min: 1, max: 8 }),
    h: fc.integer({ min: 1, max: 24 }), w: fc.integer({ min: 1, max: 24 }), bias: fc.boolean(),
  }).map((r) => ({ ...r, cin: r.g * r.cinG, cout: r.g * r.coutG, groups: r.g, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 }));
  for (const config of CONFIGS) {
    it(`input, weight and bias gradients match the definition (${config.label})`, async () => {
      await use(config.options);
      fc.assert(fc.property(fc.oneof(geometry, pointwisePlanes), fc.nat(), (g, seed) => {
        const layer = conv(g);
        const x = tensor(randomFloats(g.n * g.cin * g.h * g.w, seed), [g.n, g.cin, g.h, g.w]).requiresGrad_();
        const [y, dx, dw, db] = run(layer, x, seed);
        const dy = randomFloats(y.length, seed + 7); // run()'s upstream gradient
        const ref = referenceConvGrads(g, x.toArray(), layer.weight.toArray(), dy);
        // Sums of at most a few hundred float32 products of terms below 1 in size.
        const close = (got: Float32Array, want: Float64Array, what: string) => {
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what}[${i}] ${JSON.stringify(g)}`).toBeLessThan(1e-4);
        };
        close(dx, ref.dx, 'dx');
        close(dw, ref.dw, 'dW');
        if (g.bias) close(db, ref.db, 'db');
        layer.dispose(); x.dispose();
      }), { numRuns: 40, seed: 31 });
    });
  }
});

describe('pooling forward against float64 references', () => {
  for (const config of CONFIGS) {
    it(`max, average and adaptive average and max pools match their definitions (${config.label})`, async () => {
      await use(config.options);
      const g = fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 13 }),
        k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 1 }), ceil: fc.boolean(), include: fc.boolean(), seed: fc.nat() })
        .filter((r) => 2 * r.p <= r.k && r.h + 2 * r.p >= r.k && r.w + 2 * r.p >= r.k);
      fc.assert(fc.property(g, (r) => {
        const x = tensor(randomFloats(r.n * r.c * r.h * r.w, r.seed), [r.n, r.c, r.h, r.w]);
        const xs = x.toArray();
        const max = new MaxPool2d(r.k, { stride: r.s, padding: r.p, ceilMode: r.ceil });
        const avg = new AvgPool2d(r.k, { stride: r.s, padding: r.p, ceilMode: r.ceil, countIncludePad: r.include });
        const ym = max.forward(x), ya = avg.forward(x);
        const [oh, ow] = ym.shape.slice(2);
        for (let pl = 0; pl < r.n * r.c; pl++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
          let best = -Infinity, sum = 0, inside = 0;
          const y0 = oy * r.s - r.p, x0 = ox * r.s - r.p;
          for (let iy = y0; iy < y0 + r.k; iy++) for (let ix = x0; ix < x0 + r.k; ix++) {
            if (iy < 0 || iy >= r.h || ix < 0 || ix >= r.w) continue;
            const v = xs[(pl * r.h + iy) * r.w + ix];
            best = Math.max(best, v); sum += v; inside++;
          }
          const padded = (Math.min(y0 + r.k, r.h + r.p) - y0) * (Math.min(x0 + r.k, r.w + r.p) - x0);
          const at = (pl * oh + oy) * ow + ox;
          expect(ym.data[at]).toBe(best);
          expect(Math.abs(ya.data[at] - sum / (r.include ? padded : inside))).toBeLessThan(1e-6);
        }
        // Adaptive windows, overlapping when the input is not a multiple of the output, and more
        // outputs than inputs along a side (r.h < 5).
        const ada = new AdaptiveAvgPool2d([Math.min(r.h, 3), 2]), adaMax = new AdaptiveMaxPool2d([5, r.w > 2 ? 3 : 1]);
        for (const [pool, isMax] of [[ada, false], [adaMax, true]] as const) {
          const yd = pool.forward(x);
          const [oh, ow] = yd.shape.slice(2);
          for (let pl = 0; pl < r.n * r.c; pl++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
            const ys = Math.floor((oy * r.h) / oh), ye = Math.ceil(((oy + 1) * r.h) / oh);
            const xs0 = Math.floor((ox * r.w) / ow), xe = Math.ceil(((ox + 1) * r.w) / ow);
            let sum = 0, best = -Infinity;
            for (let iy = ys; iy < ye; iy++) for (let ix = xs0; ix < xe; ix++) {
              sum += xs[(pl * r.h + iy) * r.w + ix];
              best = Math.max(best, xs[(pl * r.h + iy) * r.w + ix]);
            }
            const got = yd.data[(pl * oh + oy) * ow + ox];
            if (isMax) expect(got).toBe(best);
            else expect(Math.abs(got - sum / ((ye - ys) * (xe - xs0)))).toBeLessThan(1e-6);
          }
        }
        [max, avg, ada, adaMax, x].forEach((t) => t.dispose());
      }), { numRuns: 60, seed: 15 });
    });
  }
});

describe('every build gives the same bits', () => {
  // The js backend's gemm is a float64 reference (src/backend/js/gemm.ts), so a convolution's bits
  // are held equal across the wasm builds, and its own kernels (im2col, col2im, the epilogue and
  // the pools, float32 twins in the kernels' order) across all three.
  it('Conv2d and the pools, forward and backward, on random geometries: simd = scalar, pools = js', async () => {
    const samples = fc.sample(fc.tuple(geometry, fc.nat()), { numRuns: 25, seed: 15 });
    const results: Float32Array[][][][] = [];
    for (const config of CONFIGS) {
      await use(config.options);
      results.push(samples.map(([g, seed]) => {
        const layers: Module[] = [conv(g), new MaxPool2d([g.kh, g.kw], { stride: [g.sh, g.sw], padding: [g.kh >> 1, g.kw >> 1], dilation: [g.dh, g.dw] }),
          new AvgPool2d([g.kh, g.kw], { stride: [g.sh, g.sw], padding: [g.kh >> 1, g.kw >> 1], countIncludePad: g.bias }), new AdaptiveAvgPool2d([2, 3]),
          new AdaptiveMaxPool2d([3, 2])];
        return layers.map((layer, i) => {
          const x = tensor(randomFloats(g.n * g.cin * g.h * g.w, seed + i), [g.n, g.cin, g.h, g.w]).requiresGrad_();
          if (layer instanceof Conv2d) {
            layer.weight.data.set(randomFloats(layer.weight.size, seed + 1));
            layer.bias?.data.set(randomFloats(layer.bias.size, seed + 2));
          }
          const out = run(layer, x, seed);
          layer.dispose(); x.dispose();
          return out;
        });
      }));
    }
    const bits = (a: Float32Array) => new Uint32Array(a.buffer);
    for (let b = 1; b < results.length; b++) {
      results[b].forEach((layers, s) => layers.forEach((arrays, l) => arrays.forEach((a, i) => {
        const what = `${CONFIGS[b].label} vs ${CONFIGS[0].label}, sample ${s}, layer ${l}, array ${i}`;
        if (CONFIGS[b].options.backend === 'js' && l === 0) {
          results[0][s][l][i].forEach((v, j) => expect(Math.abs(a[j] - v), what).toBeLessThan(1e-5 * (1 + Math.abs(v)) * 8));
        } else {
          expect(bits(a), what).toEqual(bits(results[0][s][l][i]));
        }
      })));
    }
  });

  it.each([['random', geometry], ["'same' (whole planes)", sameGeometry]] as const)('im2col, col2im and the bias + ReLU epilogue on %s geometries: simd = scalar = js', async (_, shapes) => {
    const samples = fc.sample(fc.tuple(shapes, fc.nat()), { numRuns: 25, seed: 16 });
    const results: Float32Array[][][] = [];
    for (const config of CONFIGS) {
      await use(config.options);
      const k = requireBackend();
      results.push(samples.map(([g, seed]) => {
        const oh = outLen(g.h, g.kh, g.sh, g.ph, g.dh), ow = outLen(g.w, g.kw, g.sw, g.pw, g.dw);
        const rows = g.cin * g.kh * g.kw, l = oh * ow;
        const x = tensor(randomFloats(g.cin * g.h * g.w, seed), [g.cin * g.h * g.w]);
        // col and dx start as garbage: the kernels must write every element.
        const col = tensor(randomFloats(rows * l, seed + 3), [rows * l]);
        const dcol = tensor(randomFloats(rows * l, seed + 1), [rows * l]);
        const dx = tensor(randomFloats(x.size, seed + 4), [x.size]);
        const bias = tensor(randomFloats(g.cin, seed + 2), [g.cin]);
        const act = tensor(new Float32Array(x.size), [x.size]);
        k.im2col(x.offset, g.cin, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, oh, ow, col.offset);
        k.col2im(dcol.offset, g.cin, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, oh, ow, dx.offset);
        k.channelBiasActivation(x.offset, 1, g.cin, g.h * g.w, bias.offset, Act.relu, 0, act.offset, g.cin * g.h * g.w);
        const out = [col.toArray(), dx.toArray(), x.toArray(), act.toArray()];
        [x, col, dcol, dx, bias, act].forEach((t) => t.dispose());
        return out;
      }));
    }
    for (let b = 1; b < results.length; b++) {
      results[b].forEach((arrays, s) => arrays.forEach((a, i) => {
        expect(new Uint32Array(a.buffer), `${CONFIGS[b].label}, sample ${s}, array ${i}`).toEqual(new Uint32Array(results[0][s][i].buffer));
      }));
    }
  });

  it("the input gradient on 'same' geometries equals gemm + col2im row by row, on both wasm builds", async () => {
    // convInputGrad's col2im goes whole planes through its scratch dcol; the exported col2im walks
    // row by row (its col is the caller's), so this holds one against the other, bit for bit.
    for (const config of CONFIGS.filter((c) => c.options.backend === 'wasm')) {
      await use(config.options);
      const k = requireBackend();
      fc.assert(fc.property(sameGeometry, fc.nat(), (g, seed) => {
        const cinG = g.cin / g.groups, coutG = g.cout / g.groups, kk = cinG * g.kh * g.kw, l = g.h * g.w;
        const dz = tensor(randomFloats(g.n * g.cout * l, seed), [g.n * g.cout * l]);
        const weight = tensor(randomFloats(g.cout * kk, seed + 1), [g.cout * kk]);
        const dx = tensor(new Float32Array(g.n * g.cin * l), [g.n * g.cin * l]);
        const expected = tensor(new Float32Array(dx.size), [dx.size]);
        const dcol = tensor(new Float32Array(kk * l), [kk * l]);
        const gemmBytes = Math.ceil(k.gemmWorkspaceBytes(kk, l, coutG) / 64) * 64;
        const bytes = Math.ceil((kk * l * 4) / 64) * 64 + gemmBytes;
        const work = gemmWorkspace(bytes);
        k.convInputGrad(dz.offset, dx.offset, g.cout * l, g.cin * l, g.n, g.cin, g.h, g.w, g.kh, g.kw, 1, 1, g.ph, g.pw, g.dh, g.dw, g.h, g.w, g.groups, g.cout, weight.offset, 0, work, bytes);
        const gemmWork = gemmWorkspace(bytes);
        for (let s = 0; s < g.n; s++) for (let grp = 0; grp < g.groups; grp++) {
          k.gemm(1, 0, kk, l, coutG, 1, weight.offset + grp * coutG * kk * 4, kk, dz.offset + (s * g.cout + grp * coutG) * l * 4, l, 0, dcol.offset, l, gemmWork + Math.ceil((kk * l * 4) / 64) * 64);
          k.col2im(dcol.offset, cinG, g.h, g.w, g.kh, g.kw, 1, 1, g.ph, g.pw, g.dh, g.dw, g.h, g.w, expected.offset + (s * g.cin + grp * cinG) * l * 4);
        }
        expect(new Uint32Array(dx.toArray().buffer), `${config.label} ${JSON.stringify(g)}`).toEqual(new Uint32Array(expected.toArray().buffer));
        [dz, weight, dx, expected, dcol].forEach((t) => t.dispose());
      }), { numRuns: 40, seed: 17 });
    }
  });

  it('convWeightGrad equals its definition by im2col + gemm (dz·colᵀ per sample, β = 1 after the first) bit for bit, either way round, on both wasm builds', async () => {
    // The kernel unrolls each sample's columns into its work region (a 1×1 layer reads x in place)
    // and, with ≤ 16 channels, multiplies col·dzᵀ into a scratch and transposes it; more channels
    // take dz·colᵀ itself. Channel counts on both sides of 16, kk = c·kh·kw above and below them,
    // strides, padding and dilation, positions past gemm's 512-long k-blocks, blocks of 1–3
    // samples in 1–2 blocks; x's sample stride wider than the channels read (a group's slice).
    const shapes = fc.record({
      channels: fc.integer({ min: 1, max: 24 }), c: fc.integer({ min: 1, max: 9 }), extra: fc.integer({ min: 0, max: 2 }),
      h: fc.integer({ min: 5, max: 30 }), w: fc.integer({ min: 5, max: 24 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 2 }), sw: fc.integer({ min: 1, max: 2 }), ph: fc.integer({ min: 0, max: 1 }), pw: fc.integer({ min: 0, max: 1 }),
      dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }), pointwise: fc.boolean(),
      block: fc.integer({ min: 1, max: 3 }), blocks: fc.integer({ min: 1, max: 2 }),
    }).map((r) => (r.pointwise ? { ...r, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 } : r));
    for (const config of CONFIGS.filter((c) => c.options.backend === 'wasm')) {
      await use(config.options);
      const k = requireBackend();
      fc.assert(fc.property(shapes, fc.nat(), (r, seed) => {
        const { channels, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, block, blocks } = r;
        const oh = outLen(h, kh, sh, ph, dh), ow = outLen(w, kw, sw, pw, dw);
        const n = block * blocks, kk = c * kh * kw, l = oh * ow, xs = (c + r.extra) * h * w, zs = channels * l, partialSize = channels * kk;
        const window = [c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow] as const;
        const x = tensor(randomFloats(n * xs, seed + 1), [n * xs]), dz = tensor(randomFloats(n * zs, seed), [n * zs]);
        const partial = tensor(randomFloats(blocks * partialSize, seed + 2), [blocks * partialSize]);
        const expected = tensor(new Float32Array(blocks * partialSize), [blocks * partialSize]);
        const col = tensor(new Float32Array(kk * l), [kk * l]);
        const wide = Math.max(channels, kk);
        const bytes = Math.ceil((partialSize * 4) / 64) * 64 + (r.pointwise ? 0 : Math.ceil((kk * l * 4) / 64) * 64)
          + Math.ceil(k.gemmWorkspaceBytes(wide, wide, l) / 64) * 64;
        const work = gemmWorkspace(bytes);
        k.convWeightGrad(x.offset, dz.offset, partial.offset, block * xs, block * zs, partialSize, blocks, channels * block * l, ...window,
          channels, r.pointwise ? 1 : 0, xs, zs, block, work, bytes);
        const gemmWork = gemmWorkspace(k.gemmWorkspaceBytes(channels, kk, l));
        for (let b = 0; b < blocks; b++) {
          for (let j = 0; j < block; j++) {
            const s = b * block + j;
            if (!r.pointwise) k.im2col(x.offset + s * xs * 4, ...window, col.offset);
            const colAt = r.pointwise ? x.offset + s * xs * 4 : col.offset;
            k.gemm(0, 1, channels, kk, l, 1, dz.offset + s * zs * 4, l, colAt, l, j > 0 ? 1 : 0, expected.offset + b * partialSize * 4, kk, gemmWork);
          }
        }
        const what = `${config.label} ${JSON.stringify(r)}`;
        expect(new Uint32Array(partial.toArray().buffer), what).toEqual(new Uint32Array(expected.toArray().buffer));
        [x, dz, partial, expected, col].forEach((t) => t.dispose());
      }), { numRuns: 40, seed: 19 });
    }
  });

  it('a CNN trained 4 steps with Adam: the same weights on both wasm builds, and a flat heap on every backend', async () => {
    const weights: Uint32Array[] = [];
    const losses: number[] = [];
    for (const config of CONFIGS) {
      await use(config.options);
      const model = new Sequential([
        new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Conv2d(4, 6, [3, 2], { stride: [1, 2] }), new ReLU(),
        new AvgPool2d(2, { ceilMode: true }), new Flatten(), new Linear(6 * 2 * 2, 10)], { seed: 3 });
      const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      const lossFn = new CrossEntropyLoss();
      const x = tensor(randomFloats(5 * 11 * 13, 9), [5, 1, 11, 13]);
      const y = tensor([1, 7, 3, 3, 0]);
      const inUse: number[] = [];
      let last = 0;
      for (let step = 0; step < 4; step++) {
        optimizer.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        optimizer.step();
        last = loss.item();
        inUse.push(memory().bytesInUse);
      }
      expect(inUse.slice(1), `${config.label}: bytes in use after steps 2–4`).toEqual([inUse[0], inUse[0], inUse[0]]);
      weights.push(new Uint32Array(model.parameterBlock.toArray().buffer));
      losses.push(last);
      [model, lossFn, x, y].forEach((t) => t.dispose());
    }
    expect(weights[1]).toEqual(weights[0]);
    expect(Math.abs(losses[2] - losses[0])).toBeLessThan(1e-4);
  });
});

describe('the 2×2 stride-2 max pool kernel (LeNet\'s pool)', () => {
  for (const config of CONFIGS) {
    it(`give the general kernels' bits: values, argmaxes and the backward, with ties, NaN, −∞ and −0 (${config.label})`, async () => {
      await use(config.options);
      const k = requireBackend();
      const g = fc.record({ planes: fc.integer({ min: 1, max: 3 }), oh: fc.integer({ min: 1, max: 5 }), ow: fc.integer({ min: 1, max: 11 }), seed: fc.nat() });
      fc.assert(fc.property(g, ({ planes, oh, ow, seed }) => {
        const n = planes * 4 * oh * ow, m = planes * oh * ow;
        // Few distinct values (ties inside windows), a NaN and −∞ here and there.
        const values = Array.from(randomFloats(n, seed), (v, i) => (i % 13 === 5 ? NaN : i % 17 === 3 ? -Infinity : Math.round(v * 2)));
        const x = tensor(values, [n]);
        const out = [m, m, m, m].map((size) => tensor(new Float32Array(size), [size]));
        const [y, idx, yRef, idxRef] = out;
        k.maxPool2x2Forward(x.offset, planes, oh, ow, y.offset, idx.offset, 0, 4 * oh * ow, oh * ow);
        k.maxPoolForward(x.offset, planes, 2 * oh, 2 * ow, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow, yRef.offset, idxRef.offset, 4 * oh * ow, oh * ow);
        const bits = (t: Tensor) => new Uint32Array(t.toArray().buffer);
        expect(bits(y)).toEqual(bits(yRef));
        expect(bits(idx)).toEqual(bits(idxRef));
        // The backward: gradients with −0, NaN and ±∞ among them, into dx buffers full of garbage
        // (the 2×2 kernel writes every element, the general one fills first).
        const dy = tensor(Array.from(randomFloats(m, seed + 1), (v, i) => (i % 7 === 2 ? -0 : i % 11 === 4 ? NaN : i % 19 === 6 ? -Infinity : v)), [m]);
        const dx = tensor(randomFloats(n, seed + 2), [n]), dxRef = tensor(randomFloats(n, seed + 3), [n]);
        k.maxPool2x2Backward(dy.offset, idx.offset, y.offset, planes, oh, ow, dx.offset, 0, 4 * oh * ow, oh * ow);
        k.maxPoolBackward(dy.offset, idxRef.offset, planes, 2 * oh, 2 * ow, oh, ow, dxRef.offset, 4 * oh * ow, oh * ow);
        expect(bits(dx)).toEqual(bits(dxRef));
        [x, ...out, dy, dx, dxRef].forEach((t) => t.dispose());
      }), { numRuns: 40, seed: 17 });
    });
  }
});

describe('MaxPool2d at NaN and −∞, as torch', () => {
  for (const config of CONFIGS) {
    it(`a NaN wins its window and an all −∞ window keeps its first element (${config.label})`, async () => {
      await use(config.options);
      // Five windows: the simd build runs them four at a time (then the last four again), the scalar one by one.
      const w = 10, values = Array.from({ length: 2 * w }, (_, i) => (i % 3) - 1);
      values[3] = NaN; values[w + 3] = 5; values[8] = -Infinity; values[9] = -Infinity; values[w + 8] = -Infinity; values[w + 9] = -Infinity;
      const x = tensor(values, [1, 1, 2, w]).requiresGrad_();
      const pool = new MaxPool2d(2);
      const y = pool.forward(x);
      expect(Array.from(y.toArray())).toEqual([1, NaN, 1, 1, -Infinity]);
      y.backward(tensor([1, 2, 3, 4, 5], [1, 1, 1, 5]));
      const dx = Array.from(x.grad!.toArray());
      expect(dx[3]).toBe(2); // the NaN, not the 5 below it
      expect(dx[8]).toBe(5); // the first of an all −∞ window
      pool.dispose(); x.dispose();
      // AdaptiveMaxPool2d has the same rule (torch's adaptive_max_pool2d): windows [0, 2), [2, 4), … of each row.
      const z = tensor(values, [1, 1, 2, w]).requiresGrad_();
      const adaptive = new AdaptiveMaxPool2d([1, 5]);
      const ya = adaptive.forward(z);
      expect(Array.from(ya.toArray())).toEqual([1, NaN, 1, 1, -Infinity]);
      ya.backward(tensor([1, 2, 3, 4, 5], [1, 1, 1, 5]));
      const dz = Array.from(z.grad!.toArray());
      expect([dz[3], dz[w + 3], dz[8]]).toEqual([2, 0, 5]);
      adaptive.dispose(); z.dispose();
    });
  }
});

describe('bad arguments are typed errors that name the argument', () => {
  it('Conv2d options and inputs', async () => {
    await use(CONFIGS[0].options);
    expect(() => new Conv2d(0, 2, 3)).toThrow(OptionError);
    expect(() => new Conv2d(2, 2, [3, 0])).toThrow(/kernelSize/);
    expect(() => new Conv2d(2, 2, 3, { strides: 2 } as never)).toThrow(/unknown option strides.*did you mean stride/);
    expect(() => new Conv2d(4, 6, 3, { groups: 4 })).toThrow(/groups 4 must divide inChannels 4 and outChannels 6/);
    expect(() => new Conv2d(2, 2, 3, { padding: 'same', stride: 2 })).toThrow(/padding 'same' needs stride 1/);
    expect(() => new Conv2d(2, 2, 3, { padding: 'full' as never })).toThrow(OptionError);
    expect(() => new Conv2d(2, 2, 3, { padding: -1 })).toThrow(/padding/);
    const layer = new Conv2d(2, 3, 3);
    const wrongChannels = tensor(new Float32Array(3 * 5 * 5), [1, 3, 5, 5]);
    expect(() => layer.forward(wrongChannels)).toThrow(ShapeError);
    expect(() => layer.forward(wrongChannels)).toThrow(/3 channels, expected 2/);
    const tooSmall = tensor(new Float32Array(2 * 2 * 5), [1, 2, 2, 5]);
    expect(() => layer.forward(tooSmall)).toThrow(/too small for the window/);
    const flat = tensor(new Float32Array(10), [2, 5]);
    expect(() => layer.forward(flat)).toThrow(/\[N, C, H, W\] or \[C, H, W\], got shape \[2, 5\]/);
    [layer, wrongChannels, tooSmall, flat].forEach((t) => t.dispose());
  });

  it('pooling options', async () => {
    await use(CONFIGS[0].options);
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/padding 2 must be at most half the window 2/);
    expect(() => new AvgPool2d(3, { dilation: 2 } as never)).toThrow(/unknown option dilation/);
    expect(() => new AvgPool2d(3, { countIncludePad: 1 as never })).toThrow(/countIncludePad/);
    expect(() => new AdaptiveAvgPool2d(0)).toThrow(/outputSize/);
    expect(() => new MaxPool2d([2, 2, 2] as never)).toThrow(/kernelSize/);
  });
});

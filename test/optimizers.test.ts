import { describe, it, expect, beforeAll } from 'vitest';
import optimizersJson from '../../shared/golden/optimizers.json';
import {
  Parameter, Tensor, Sequential, Linear, Tanh, CrossEntropyLoss, tensor, keep, manualSeed, OptionError, ShapeError,
} from '../src/index.js';
import { requireBackend, requireHeap } from '../src/core/runtime.js';
import type { OptimKernels } from '../src/backend/optim-kernels.js';
import {
  Optimizer, SGD, EMAMomentum, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Yogi, Lion,
  clipGradNorm, clipGradValue, type OptimizerStateDict,
} from '../src/optim/index.js';
import { CONFIGS, use, randomFloats } from './helpers.js';
import { expectAllClose, type GoldenTensor } from './golden.js';

// The optimizers against torch 1.13 (../shared/golden/optimizers.json, every case, every step),
// their option checks, param groups, stateDict round trips, the contiguous fast path against the
// per-parameter path, zeroGrad and gradient clipping — on every backend.

type AnyOptimizer = Optimizer;
type OptimizerClass = new (params: unknown, options?: object) => AnyOptimizer;

const OPTIMIZERS: Record<string, OptimizerClass> = {
  SGD, EMAMomentum, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Yogi, Lion,
} as unknown as Record<string, OptimizerClass>;

interface OptimizerCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  paramGroups?: { params: number[]; options: Record<string, unknown> }[];
  params: GoldenTensor[];
  grads: number[][][];
  expected: number[][][];
}
const cases = optimizersJson.cases as unknown as OptimizerCase[];
const ATOL = 1e-5, RTOL = 1e-5;

/** Options that exercise every state kind and scalar of each optimizer, for the state tests. */
const FULL_OPTIONS: [string, object][] = [
  ['SGD', { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ['SGD', { lr: 0.1, momentum: 0.9, nesterov: true, maximize: true }],
  ['EMAMomentum', { lr: 0.1, beta: 0.8 }],
  ['Adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01 }],
  ['RMSprop', { lr: 0.01, momentum: 0.5, centered: true, weightDecay: 0.01 }],
  ['Adadelta', { weightDecay: 0.01 }],
  ['Adam', { lr: 0.01, amsgrad: true, weightDecay: 0.01 }],
  ['Adam', { lr: 0.01, maximize: true }],
  ['AdamW', { lr: 0.01 }],
  ['Adamax', { lr: 0.01, weightDecay: 0.01 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.01 }],
  ['RAdam', { lr: 0.01 }], // crosses into the rectified branch at step 6
  ['Yogi', { lr: 0.01 }],
  ['Lion', { lr: 0.001, weightDecay: 0.1 }],
];
const label = (name: string, options: object) => `${name} ${JSON.stringify(options)}`;

/** Parameters each in its own block (the per-parameter path). */
function separateParams(values: Float32Array[], shapes: number[][]): Parameter[] {
  return values.map((v, i) => new Parameter(v, shapes[i]));
}

/** Parameters (and their gradients) back to back in one block each, as a Sequential lays them out. */
function contiguousParams(values: Float32Array[], shapes: number[][]): { params: Parameter[]; dispose: () => void } {
  const params = separateParams(values, shapes);
  const total = params.reduce((n, p) => n + p.size, 0);
  const pb = keep(new Tensor([total])), gb = keep(new Tensor([total]));
  let offset = 0;
  for (const p of params) {
    p.relocateInto(pb, offset * 4);
    p.grad.relocateInto(gb, offset * 4);
    offset += p.size;
  }
  return { params, dispose: () => { pb.dispose(); gb.dispose(); } };
}

/** Counts the calls of every update kernel while `fn` runs. */
function countKernelCalls(fn: () => void): number {
  const backend = requireBackend() as unknown as Record<string, unknown>;
  const names = ['sgdUpdate', 'emaMomentumUpdate', 'adagradUpdate', 'rmspropUpdate', 'adadeltaUpdate', 'adamUpdate',
    'adamaxUpdate', 'nadamUpdate', 'radamUpdate', 'yogiUpdate', 'lionUpdate'] as const satisfies readonly (keyof OptimKernels)[];
  const saved = names.map((n) => backend[n]);
  let calls = 0;
  names.forEach((n, i) => {
    backend[n] = (...args: unknown[]) => { calls++; return (saved[i] as (...a: unknown[]) => unknown)(...args); };
  });
  try {
    fn();
  } finally {
    names.forEach((n, i) => { backend[n] = saved[i]; });
  }
  return calls;
}

function buildModel(): Sequential {
  manualSeed(7);
  return new Sequential([new Linear(5, 7), new Tanh(), new Linear(7, 3)]);
}

/** A fixed batch, and a training step on it. */
function trainer(model: Sequential) {
  const x = tensor(randomFloats(8 * 5, 3), [8, 5]);
  const y = tensor([0, 1, 2, 1, 0, 2, 2, 1]);
  const lossFn = new CrossEntropyLoss();
  return {
    step(optimizer: AnyOptimizer) {
      optimizer.zeroGrad();
      lossFn.forward(model.forward(x), y).backward();
      optimizer.step();
    },
    dispose() { x.dispose(); y.dispose(); lossFn.dispose(); },
  };
}

for (const config of CONFIGS) {
  describe(`optimizers on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    describe('golden torch vectors', () => {
      for (const c of cases) {
        it(`matches torch ${c.optimizer} (${c.name}) for ${c.grads.length} steps`, () => {
          const params = separateParams(c.params.map((t) => Float32Array.from(t.data)), c.params.map((t) => t.shape));
          const groups = c.paramGroups
            ? c.paramGroups.map((g) => ({ params: g.params.map((i) => params[i]), ...g.options }))
            : params;
          const optimizer = new OPTIMIZERS[c.optimizer](groups, c.options);
          c.grads.forEach((grads, step) => {
            params.forEach((p, i) => p.grad.data.set(grads[i]));
            optimizer.step();
            params.forEach((p, i) => expectAllClose(p.toArray(), c.expected[step][i], ATOL, RTOL, `${c.name} step ${step + 1} param ${i}`));
          });
          optimizer.dispose();
          params.forEach((p) => p.dispose());
        });
      }
    });

    describe('the contiguous fast path', () => {
      for (const [name, options] of FULL_OPTIONS) {
        it(`${label(name, options)}: one kernel call per group, bit-identical to one call per parameter`, () => {
          const shapes = [[3, 5], [5], [4, 2], [7]];
          const values = shapes.map((s, i) => randomFloats(s.reduce((a, b) => a * b, 1), 10 + i));
          const fast = contiguousParams(values, shapes);
          const slow = separateParams(values, shapes);
          // Two groups over the contiguous block: one call each; the separate parameters: one call each.
          const groups = (ps: Parameter[]) => [{ params: ps.slice(0, 2) }, { params: ps.slice(2), lr: (options as { lr?: number }).lr ?? 0.5 }];
          const a = new OPTIMIZERS[name](groups(fast.params), options);
          const b = new OPTIMIZERS[name](groups(slow), options);
          for (let step = 0; step < 7; step++) {
            const grads = shapes.map((s, i) => randomFloats(s.reduce((x, y) => x * y, 1), 100 * step + i));
            fast.params.forEach((p, i) => p.grad.data.set(grads[i]));
            slow.forEach((p, i) => p.grad.data.set(grads[i]));
            expect(countKernelCalls(() => a.step())).toBe(2);
            expect(countKernelCalls(() => b.step())).toBe(4);
            fast.params.forEach((p, i) => expect(Array.from(p.toArray())).toEqual(Array.from(slow[i].toArray())));
          }
          expect(a.stateDict()).toEqual(b.stateDict());
          a.dispose(); b.dispose(); fast.dispose(); slow.forEach((p) => p.dispose());
        });
      }

      it('splits a group into runs around a parameter without a gradient, and skips that parameter', () => {
        const shapes = [[4], [3], [5]];
        const values = shapes.map((s, i) => randomFloats(s[0], 20 + i));
        const fast = contiguousParams(values, shapes);
        const loose = shapes.map((s, i) => tensor(values[i], s).requiresGrad_());
        const a = new Adam(fast.params, { lr: 0.1 });
        const b = new Adam(loose, { lr: 0.1 });
        for (let step = 0; step < 4; step++) {
          const grads = shapes.map((s, i) => randomFloats(s[0], 50 + 10 * step + i));
          fast.params.forEach((p, i) => p.grad.data.set(grads[i]));
          loose.forEach((t, i) => { t.grad?.dispose(); t.grad = i === 1 && step < 2 ? null : tensor(grads[i], shapes[i]); });
          const saved = fast.params[1].grad;
          if (step < 2) (fast.params[1] as { grad: Tensor | null }).grad = null;
          expect(countKernelCalls(() => a.step())).toBe(step < 2 ? 2 : 3); // 3: parameter 1 is a step behind
          (fast.params[1] as { grad: Tensor | null }).grad = saved;
          b.step();
          fast.params.forEach((p, i) => expect(Array.from(p.toArray())).toEqual(Array.from(loose[i].toArray())));
          if (step < 2) expect(fast.params[1].toArray()).toEqual(values[1]);
        }
        const state = a.stateDict().state;
        expect([state[0].step, state[1].step, state[2].step]).toEqual([4, 2, 4]);
        a.dispose(); b.dispose(); fast.dispose(); loose.forEach((t) => t.dispose());
      });

      it("updates a Sequential's parameters with one kernel call and allocates nothing after the first step", () => {
        const model = buildModel();
        const t = trainer(model);
        const optimizer = new Adam(model.parameters(), { lr: 0.01, amsgrad: true });
        expect(countKernelCalls(() => t.step(optimizer))).toBe(1);
        const heap = requireHeap();
        const bytes = heap.bytesInUse, blocks = heap.blockCount;
        for (let i = 0; i < 5; i++) t.step(optimizer);
        expect([heap.bytesInUse, heap.blockCount]).toEqual([bytes, blocks]);
        optimizer.dispose(); t.dispose(); model.dispose();
      });
    });

    describe('stateDict', () => {
      for (const [name, options] of FULL_OPTIONS) {
        it(`${label(name, options)}: 5 steps, save as JSON, load into a fresh model and optimizer, 5 more = 10 uninterrupted, bit for bit`, () => {
          const straight = buildModel();
          const t1 = trainer(straight);
          const o1 = new OPTIMIZERS[name](straight.parameters(), options);
          for (let i = 0; i < 10; i++) t1.step(o1);

          const first = buildModel();
          const t2 = trainer(first);
          const o2 = new OPTIMIZERS[name](first.parameters(), options);
          for (let i = 0; i < 5; i++) t2.step(o2);
          const json = JSON.stringify(o2.stateDict());
          const modelState = first.stateDict();

          const resumed = buildModel();
          resumed.loadStateDict(modelState);
          const t3 = trainer(resumed);
          const o3 = new OPTIMIZERS[name](resumed.parameters(), options);
          o3.loadStateDict(JSON.parse(json) as OptimizerStateDict);
          expect(o3.stateDict()).toEqual(JSON.parse(json));
          for (let i = 0; i < 5; i++) t3.step(o3);
          resumed.parameters().forEach((p, i) => expect(Array.from(p.toArray())).toEqual(Array.from(straight.parameters()[i].toArray())));
          expect(o3.stateDict()).toEqual(o1.stateDict());
          for (const x of [o1, o2, o3, t1, t2, t3, straight, first, resumed]) x.dispose();
        });
      }

      it('restores param-group options, including an lr a scheduler wrote', () => {
        const [a, b] = [new Parameter([1, 2], [2]), new Parameter([3], [1])];
        const o1 = new SGD([{ params: [a] }, { params: [b], lr: 0.2 }], { lr: 0.1, momentum: 0.9 });
        o1.paramGroups[0].lr = 0.05;
        const dict = o1.stateDict();
        expect(dict.paramGroups.map((g) => [g.lr, g.momentum, g.params])).toEqual([[0.05, 0.9, [0]], [0.2, 0.9, [1]]]);
        const o2 = new SGD([{ params: [a] }, { params: [b] }], { lr: 1 });
        o2.loadStateDict(JSON.parse(JSON.stringify(dict)) as OptimizerStateDict);
        expect(o2.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.2]);
        expect(o2.paramGroups[0].params).toEqual([a]);
      });

      it('rejects a bad dict with a typed error and changes nothing', () => {
        const model = buildModel();
        const t = trainer(model);
        const optimizer = new Adam(model.parameters(), { lr: 0.01 });
        for (let i = 0; i < 3; i++) t.step(optimizer);
        const good = optimizer.stateDict();
        const bad = (edit: (d: OptimizerStateDict) => void) => {
          const d = JSON.parse(JSON.stringify(good)) as OptimizerStateDict;
          edit(d);
          return d;
        };
        const expectRejected = (d: unknown, error: typeof OptionError | typeof ShapeError, message: RegExp) => {
          expect(() => optimizer.loadStateDict(d as OptimizerStateDict)).toThrow(error);
          expect(() => optimizer.loadStateDict(d as OptimizerStateDict)).toThrow(message);
          expect(optimizer.stateDict()).toEqual(good);
        };
        expectRejected(null, OptionError, /expected \{ state, paramGroups \}/);
        expectRejected(bad((d) => d.paramGroups.push({ ...d.paramGroups[0] })), OptionError, /2 param groups, this optimizer 1/);
        expectRejected(bad((d) => d.paramGroups[0].params.pop()), OptionError, /3 parameters in the dict, 4 here/);
        expectRejected(bad((d) => { d.paramGroups[0].lr = -1; }), OptionError, /Adam\.loadStateDict \(group 0\): lr must be in \[0, ∞\), got -1/);
        expectRejected(bad((d) => { d.paramGroups[0].betas = [0.9, 1.5]; }), OptionError, /betas\[1\] must be in \[0, 1\), got 1\.5/);
        expectRejected(bad((d) => { (d.state[1].expAvg as { shape: number[] }).shape = [7, 1]; }), ShapeError, /expAvg has shape \[7, 1\], the parameter \[7\]/);
        expectRejected(bad((d) => { (d.state[3].expAvgSq as { data: number[] }).data.pop(); }), ShapeError, /holds 2 values, expected 3/);
        expectRejected(bad((d) => { (d.state[0].expAvg as { data: unknown[] }).data[4] = null; }), OptionError, /data\[4\] is null/);
        expectRejected(bad((d) => { delete d.state[2].expAvgSq; }), OptionError, /expAvgSq is missing/);
        expectRejected(bad((d) => { d.state[2].velocity = 1; }), OptionError, /unknown state velocity/);
        expectRejected(bad((d) => { d.state[2].step = 1.5; }), OptionError, /step must be a non-negative integer/);
        expectRejected(bad((d) => { d.state[9] = d.state[0]; }), OptionError, /parameter 9, which no param group lists/);
        optimizer.dispose(); t.dispose(); model.dispose();
      });
    });

    describe('param groups', () => {
      it('uses an lr written to paramGroups at the next step', () => {
        const p = new Parameter([1, 1], [2]);
        const optimizer = new SGD([p], { lr: 0.5 });
        p.grad.data.set([1, 2]);
        optimizer.step();
        optimizer.paramGroups[0].lr = 0.25;
        optimizer.step();
        expect(Array.from(p.toArray())).toEqual([1 - 0.5 - 0.25, 1 - 1 - 0.5]);
      });

      it('gives each group its own options over the defaults, and addParamGroup takes the defaults', () => {
        const [a, b, c] = [new Parameter([1], [1]), new Parameter([1], [1]), new Parameter([1], [1])];
        const optimizer = new Adam([{ params: [a], lr: 0.1 }, { params: b, weightDecay: 0.5 }], { lr: 0.01, betas: [0.8, 0.9] });
        optimizer.addParamGroup({ params: [c], amsgrad: true });
        expect(optimizer.paramGroups.map((g) => [g.lr, g.betas, g.weightDecay, g.amsgrad])).toEqual([
          [0.1, [0.8, 0.9], 0, false], [0.01, [0.8, 0.9], 0.5, false], [0.01, [0.8, 0.9], 0, true],
        ]);
        optimizer.paramGroups[0].betas[0] = 0.5; // each group owns its betas
        expect(optimizer.paramGroups[1].betas[0]).toBe(0.8);
        expect(optimizer.defaults.betas).toEqual([0.8, 0.9]);
      });

      it('rejects a parameter listed twice or in two groups, empty and mixed lists, and non-tensors', () => {
        const [a, b] = [new Parameter([1], [1]), new Parameter([1], [1])];
        expect(() => new Adam([a, a])).toThrow(/listed twice in one param group/);
        expect(() => new Adam([{ params: [a] }, { params: [a, b] }])).toThrow(/already in another param group/);
        const optimizer = new Adam([a]);
        expect(() => optimizer.addParamGroup({ params: [b, a] })).toThrow(/already in another param group/);
        expect(() => new Adam([])).toThrow(/empty parameter list/);
        expect(() => new Adam([a, { params: [b] }] as never)).toThrow(/not a mix/);
        expect(() => new Adam([1, 2] as never)).toThrow(OptionError);
        expect(() => new Adam(a as never)).toThrow(/iterable of Tensors/);
        expect(() => new Adam([{ params: [a], learningRate: 1 }] as never)).toThrow(/Adam: unknown option learningRate/);
        expect(() => (optimizer.paramGroups[0].params as Tensor[]).push(b)).toThrow(TypeError);
      });

      it('checks the options again at each step, before updating any group', () => {
        const [p, q] = [new Parameter([1], [1]), new Parameter([1], [1])];
        const optimizer = new RMSprop([{ params: [p] }, { params: [q] }]);
        p.grad.data.set([1]);
        optimizer.paramGroups[1].lr = NaN;
        expect(() => optimizer.step()).toThrow('RMSprop: lr must be in [0, ∞), got NaN');
        expect(Array.from(p.toArray())).toEqual([1]);
      });
    });

    describe('option checks', () => {
      const bad: [string, object, string][] = [
        ['SGD', {}, 'SGD: lr is required (a number in [0, ∞))'],
        ['SGD', { lr: -0.1 }, 'SGD: lr must be in [0, ∞), got -0.1'],
        ['SGD', { lr: Infinity }, 'SGD: lr must be in [0, ∞), got Infinity'],
        ['SGD', { lr: '0.1' }, 'SGD: lr must be in [0, ∞), got "0.1"'],
        ['SGD', { lr: 0.1, momentum: -1 }, 'SGD: momentum must be in [0, ∞), got -1'],
        ['SGD', { lr: 0.1, dampening: 1.5 }, 'SGD: dampening must be in [0, 1], got 1.5'],
        ['SGD', { lr: 0.1, weightDecay: -0.01 }, 'SGD: weightDecay must be in [0, ∞), got -0.01'],
        ['SGD', { lr: 0.1, nesterov: true }, 'SGD: nesterov requires momentum > 0 and dampening 0, got momentum 0 and dampening 0'],
        ['SGD', { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }, 'SGD: nesterov requires momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1'],
        ['SGD', { lr: 0.1, nesterov: 1 }, 'SGD: nesterov must be a boolean, got 1'],
        ['SGD', { lr: 0.1, maximize: 'yes' }, 'SGD: maximize must be a boolean, got "yes"'],
        ['EMAMomentum', { lr: 0.1, beta: 1 }, 'EMAMomentum: beta must be in [0, 1), got 1'],
        ['EMAMomentum', { beta: 0.9 }, 'EMAMomentum: lr is required (a number in [0, ∞))'],
        ['Adagrad', { lrDecay: -1 }, 'Adagrad: lrDecay must be in [0, ∞), got -1'],
        ['Adagrad', { initialAccumulatorValue: -0.1 }, 'Adagrad: initialAccumulatorValue must be in [0, ∞), got -0.1'],
        ['Adagrad', { eps: 0 }, 'Adagrad: eps must be in (0, ∞), got 0'],
        ['RMSprop', { alpha: 1.5 }, 'RMSprop: alpha must be in [0, 1], got 1.5'],
        ['RMSprop', { momentum: -0.5 }, 'RMSprop: momentum must be in [0, ∞), got -0.5'],
        ['RMSprop', { centered: 'no' }, 'RMSprop: centered must be a boolean, got "no"'],
        ['Adadelta', { rho: 1.1 }, 'Adadelta: rho must be in [0, 1], got 1.1'],
        ['Adadelta', { eps: -1e-6 }, 'Adadelta: eps must be in (0, ∞), got -0.000001'],
        ['Adam', { betas: [1.5, 0.999] }, 'Adam: betas[0] must be in [0, 1), got 1.5'],
        ['Adam', { betas: [0.9, 1] }, 'Adam: betas[1] must be in [0, 1), got 1'],
        ['Adam', { betas: [0.9] }, 'Adam: betas must be a pair [beta1, beta2] of numbers in [0, 1), got [0.9]'],
        ['Adam', { eps: 0 }, 'Adam: eps must be in (0, ∞), got 0'],
        ['Adam', { lr: -1e-3 }, 'Adam: lr must be in [0, ∞), got -0.001'],
        ['Adam', { amsgrad: 1 }, 'Adam: amsgrad must be a boolean, got 1'],
        ['Adam', { learningRate: 0.1 }, 'Adam: unknown option learningRate (valid: lr, betas, eps, weightDecay, amsgrad, maximize)'],
        ['AdamW', { weightDecay: -0.01 }, 'AdamW: weightDecay must be in [0, ∞), got -0.01'],
        ['Adamax', { betas: [-0.1, 0.9] }, 'Adamax: betas[0] must be in [0, 1), got -0.1'],
        ['NAdam', { momentumDecay: -1 }, 'NAdam: momentumDecay must be in [0, ∞), got -1'],
        ['RAdam', { eps: -1 }, 'RAdam: eps must be in (0, ∞), got -1'],
        ['Yogi', { betas: [0.9, 0.999] }, 'Yogi: lr is required (a number in [0, ∞))'],
        ['Yogi', { lr: 0.01, initialAccumulatorValue: -1 }, 'Yogi: initialAccumulatorValue must be in [0, ∞), got -1'],
        ['Lion', { lr: 1e-4, betas: [0.9, 1.2] }, 'Lion: betas[1] must be in [0, 1), got 1.2'],
      ];
      for (const [name, options, message] of bad) {
        it(`${name} ${JSON.stringify(options)} throws "${message}"`, () => {
          const p = new Parameter([1], [1]);
          expect(() => new OPTIMIZERS[name]([p], options)).toThrow(OptionError);
          expect(() => new OPTIMIZERS[name]([p], options)).toThrow(message);
          // The same options in a param group (with addParamGroup too) are checked alike.
          const defaults = name === 'SGD' || name === 'Yogi' || name === 'Lion' || name === 'EMAMomentum' ? {} : { lr: 0.01 };
          const q = new Parameter([1], [1]);
          expect(() => new OPTIMIZERS[name]([{ params: [q], ...options }], defaults)).toThrow(OptionError);
        });
      }

      it('accepts a required lr given in every group instead of the defaults', () => {
        const p = new Parameter([1], [1]);
        expect(() => new SGD([{ params: [p], lr: 0.1 }])).not.toThrow();
      });
    });

    describe('zeroGrad and skipped parameters', () => {
      it('zeroes contiguous and separate gradients and leaves a null grad null', () => {
        const model = buildModel();
        const loose = tensor([1, 2], [2]).requiresGrad_();
        const none = tensor([3], [1]).requiresGrad_();
        loose.grad = tensor([5, 6], [2]);
        const optimizer = new SGD([...model.parameters(), loose, none], { lr: 0.1 });
        for (const p of model.parameters()) p.grad.data.fill(3);
        optimizer.zeroGrad();
        for (const p of [...model.parameters(), loose]) expect(Array.from(p.grad!.toArray()).every((v) => v === 0)).toBe(true);
        expect(none.grad).toBeNull();
        optimizer.step();
        expect(Array.from(none.toArray())).toEqual([3]);
      });

      it('bumps the version of what it updates, so a stale graph is detected', () => {
        const model = buildModel();
        const optimizer = new SGD(model.parameters(), { lr: 0.1 });
        const x = tensor(randomFloats(10, 1), [2, 5]);
        const y = tensor([0, 2]);
        const loss = new CrossEntropyLoss().forward(model.forward(x), y);
        optimizer.step();
        expect(() => loss.backward()).toThrow();
        model.dispose(); x.dispose(); y.dispose();
      });
    });

    describe('gradient clipping', () => {
      /** Two contiguous parameters, one separate, one without a gradient. */
      function setup(seed: number) {
        const shapes = [[6, 3], [3], [5]];
        const { params, dispose } = contiguousParams(shapes.slice(0, 2).map((s) => new Float32Array(s.reduce((a, b) => a * b, 1))), shapes.slice(0, 2));
        const extra = new Parameter(null, [5]);
        const none = tensor([1], [1]).requiresGrad_();
        const grads = [...params, extra].map((p, i) => randomFloats(p.size, seed + i).map((v) => v * 3));
        [...params, extra].forEach((p, i) => p.grad.data.set(grads[i]));
        return { all: [...params, extra, none], grads, dispose };
      }
      const reference = (grads: Float32Array[], normType: number) => {
        const values = grads.flatMap((g) => Array.from(g, Math.abs));
        return normType === Infinity ? Math.max(...values) : values.reduce((s, v) => s + v ** normType, 0) ** (1 / normType);
      };

      for (const normType of [2, 1, 3, Infinity]) {
        it(`clipGradNorm with normType ${normType}: returns the total norm and rescales to maxNorm`, () => {
          const { all, grads, dispose } = setup(normType === Infinity ? 99 : normType);
          const total = reference(grads, normType);
          const returned = clipGradNorm(all, total / 4, normType);
          expect(Math.abs(returned - total)).toBeLessThanOrEqual(1e-6 * total);
          const coef = Math.fround((total / 4) / (total + 1e-6));
          all.slice(0, 3).forEach((p, i) => expectAllClose(p.grad!.toArray(), Array.from(grads[i], (g) => g * coef), 1e-7, 1e-6, `grad ${i}`));
          expect(Math.abs(reference(all.slice(0, 3).map((p) => p.grad!.toArray()), normType) - total / 4)).toBeLessThanOrEqual(1e-5 * total);
          expect(all[3].grad).toBeNull();
          // Under the limit: untouched.
          const before = all.slice(0, 3).map((p) => p.grad!.toArray());
          clipGradNorm(all, total, normType);
          all.slice(0, 3).forEach((p, i) => expect(p.grad!.toArray()).toEqual(before[i]));
          dispose();
        });
      }

      it('clipGradValue clamps every element to [−clipValue, clipValue]', () => {
        const { all, grads, dispose } = setup(5);
        clipGradValue(all, 1.5);
        all.slice(0, 3).forEach((p, i) => expect(Array.from(p.grad!.toArray())).toEqual(Array.from(grads[i], (g) => Math.min(Math.max(g, -1.5), 1.5))));
        dispose();
      });

      it('checks its arguments', () => {
        const p = new Parameter([1], [1]);
        expect(() => clipGradNorm([p], -1)).toThrow('clipGradNorm: maxNorm must be in [0, ∞), got -1');
        expect(() => clipGradNorm([p], 1, 0)).toThrow('clipGradNorm: normType must be in (0, ∞], got 0');
        expect(() => clipGradValue([p], NaN)).toThrow('clipGradValue: clipValue must be in [0, ∞), got NaN');
        expect(() => clipGradValue([1] as never, 1)).toThrow(OptionError);
      });
    });
  });
}

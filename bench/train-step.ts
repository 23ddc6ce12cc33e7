// The training-step benchmark's protocol, shared by Node (bench/train.ts, bench/train-main.ts) and
// the Chromium page (bench/browser/): the nets, the data, one full step of each implementation and
// the round-robin timing. It imports nothing from Node, so Vite can bundle it for a Web Worker.
//
// A full step is what a training loop pays per batch: zeroGrad, forward, CrossEntropyLoss on the
// logits, backward, Adam (lr 1e-3) step, and reading the loss (`loss.item()`), which waits for the
// step to finish. Measuring less (forward + backward only) once hid that threads made whole steps
// slower (issue #12).

import { init, Sequential, Linear, ReLU, CrossEntropyLoss, Adam, tensor, manualSeed, type InitOptions, type Tensor } from '../src/index.js';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';
// A type only (erased): harness.ts itself imports Node modules, which a Web Worker has not.
import type { TimingOptions } from './harness.js';
import { median } from './median.js';
export type { TimingOptions };

export interface Row { sizes: number[]; batch: number }

/** The rows of issue #12: the course's two MLPs at batch 32 and 128, and the demo's net at batch 32. */
export const ROWS: Row[] = [
  { sizes: [784, 16, 16, 10], batch: 32 },
  { sizes: [784, 16, 16, 10], batch: 128 },
  { sizes: [784, 256, 128, 10], batch: 32 },
  { sizes: [784, 256, 128, 10], batch: 128 },
  { sizes: [784, 128, 64, 10], batch: 32 },
];

export const rowName = (r: Row): string => `${r.sizes.join('-')} b${r.batch}`;

/** Pre-made batches cycled through, so a step never waits for data and caches see several inputs. */
const BATCHES = 8;

export interface Batches { xs: Float32Array[]; ys: Int32Array[] }

/** MNIST-shaped random data: pixels uniform in [0, 1), labels uniform over the classes (seeded LCG). */
export function makeBatches(row: Row): Batches {
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 8) / 16777216;
  const inputs = row.sizes[0], classes = row.sizes[row.sizes.length - 1];
  const xs: Float32Array[] = [], ys: Int32Array[] = [];
  for (let i = 0; i < BATCHES; i++) {
    xs.push(Float32Array.from({ length: row.batch * inputs }, next));
    ys.push(Int32Array.from({ length: row.batch }, () => Math.floor(next() * classes)));
  }
  return { xs, ys };
}

/** One implementation's training loop on one row: `step()` runs a full step (a promise where the library's is async). */
export interface Stepper {
  step: () => void | Promise<void>;
  /** The loss read by the last step (a finite number shows the step really trained). */
  loss: () => number;
  dispose: () => void;
}

/** Descent on whatever backend `init` made active; the model lives on the heap, so switching kernels keeps it. */
export function descentStepper(row: Row, data: Batches): Stepper {
  manualSeed(0);
  const layers = [];
  for (let i = 0; i + 1 < row.sizes.length; i++) {
    layers.push(new Linear(row.sizes[i], row.sizes[i + 1]));
    if (i + 2 < row.sizes.length) layers.push(new ReLU());
  }
  return modelStepper(new Sequential(layers), data, [row.batch, row.sizes[0]]);
}

/**
 * Full training steps of `model` (Adam lr 1e-3, CrossEntropyLoss) over the pre-made batches, each
 * input read as `inputShape`. The stepper owns the model and disposes it.
 */
export function modelStepper(model: Sequential, data: Batches, inputShape: number[]): Stepper {
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new CrossEntropyLoss();
  const xs = data.xs.map((x) => tensor(x, inputShape));
  const ys = data.ys.map((y) => tensor(Array.from(y)));
  let it = 0, last = NaN;
  return {
    step: () => {
      optimizer.zeroGrad();
      const loss: Tensor = lossFn.forward(model.forward(xs[it % BATCHES]), ys[it % BATCHES]);
      loss.backward();
      optimizer.step();
      last = loss.item();
      it++;
    },
    loss: () => last,
    dispose: () => {
      for (const t of [...xs, ...ys]) t.dispose();
      optimizer.dispose();
      lossFn.dispose();
      model.dispose();
    },
  };
}

/** He-uniform weights and zero biases (the values do not change the work a step does). */
function tfParams(tf: typeof TfCore, sizes: number[]): TfCore.Variable[] {
  const vars: TfCore.Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const bound = Math.sqrt(6 / sizes[i]);
    vars.push(tf.variable(tf.randomUniform([sizes[i], sizes[i + 1]], -bound, bound, 'float32', i + 1)));
    vars.push(tf.variable(tf.zeros([sizes[i + 1]])));
  }
  return vars;
}

function tfTensors(tf: typeof TfCore, row: Row, data: Batches) {
  const classes = row.sizes[row.sizes.length - 1];
  const xs = data.xs.map((x) => tf.tensor2d(x, [row.batch, row.sizes[0]]));
  const ys = data.ys.map((y) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), classes), 'float32')));
  return { xs, ys, dispose: () => tf.dispose([...xs, ...ys]) };
}

/** TensorFlow.js core: the net as matMul/add/relu on variables, `optimizer.minimize` with the cost returned and read. */
export function tfMinimizeStepper(tf: typeof TfCore, row: Row, data: Batches): Stepper {
  const vars = tfParams(tf, row.sizes);
  const { xs, ys, dispose } = tfTensors(tf, row, data);
  const optimizer = tf.train.adam(1e-3);
  let it = 0, last = NaN;
  const forward = (x: TfCore.Tensor2D): TfCore.Tensor2D => {
    let h = x;
    for (let i = 0; i < vars.length; i += 2) {
      h = tf.add(tf.matMul(h, vars[i] as TfCore.Tensor2D), vars[i + 1]);
      if (i + 2 < vars.length) h = tf.relu(h);
    }
    return h;
  };
  return {
    step: () => {
      const x = xs[it % BATCHES], y = ys[it % BATCHES];
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as TfCore.Scalar, true, vars)!;
      last = cost.dataSync()[0];
      cost.dispose();
      it++;
    },
    loss: () => last,
    dispose: () => { optimizer.dispose(); tf.dispose(vars); dispose(); },
  };
}

/** TensorFlow.js layers: the same net as a tf.sequential of dense layers, `model.trainOnBatch` (async: it reads the loss). */
export function tfLayersStepper(tf: typeof TfCore, tfl: typeof TfLayers, row: Row, data: Batches): Stepper {
  const model = tfl.sequential();
  for (let i = 0; i + 1 < row.sizes.length; i++) {
    model.add(tfl.layers.dense({
      units: row.sizes[i + 1], activation: i + 2 < row.sizes.length ? 'relu' : 'linear',
      ...(i === 0 ? { inputShape: [row.sizes[0]] } : {}),
    }));
  }
  model.compile({ optimizer: tf.train.adam(1e-3), loss: (yTrue: TfCore.Tensor, yPred: TfCore.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  const { xs, ys, dispose } = tfTensors(tf, row, data);
  let it = 0, last = NaN;
  return {
    step: async () => {
      const loss = await model.trainOnBatch(xs[it % BATCHES], ys[it % BATCHES]);
      last = Array.isArray(loss) ? loss[0] : loss;
      it++;
    },
    loss: () => last,
    dispose: () => { model.dispose(); dispose(); },
  };
}

/**
 * Windows of whole steps (`minSampleMs`) and an untimed warm-up per configuration: a step runs ~20
 * kernels and the autograd engine, and V8 needs a few hundred steps to tier all of them up, longer
 * than the kernel benchmarks' warm-up.
 */
export const FULL_TIMING: TimingOptions = { samples: 9, minSampleMs: 150, warmupMs: 600 };
export const QUICK_TIMING: TimingOptions = { samples: 3, minSampleMs: 60, warmupMs: 300 };

/** One configuration in a round-robin: what makes it active (`init`, say) and the step it runs. */
export interface Config {
  enter?: () => unknown;
  stepper: Stepper;
}

export { median };

/** Runs steps for at least `ms`; returns the steps per second. Awaits only a step that returns a promise. */
async function timeWindow(step: Stepper['step'], ms: number, minSteps: number): Promise<number> {
  let steps = 0;
  const start = performance.now();
  let now = start;
  do {
    const pending = step();
    if (pending) await pending;
    steps++;
    now = performance.now();
  } while (now - start < ms || steps < minSteps);
  return steps / ((now - start) / 1000);
}

/**
 * Configurations sampled in rounds: `warm()` once, then each `round()` gives one window's samples/s
 * per configuration (A, B, C). Each window starts with the configuration's `enter` and one untimed
 * step: switching, and the first wake of a pool's workers after it, is a cost of the benchmark,
 * not of a program that keeps one setting.
 */
export interface Rounds {
  warm(): Promise<void>;
  round(): Promise<number[]>;
}

export function rounds(configs: readonly Config[], batch: number, timing: TimingOptions): Rounds {
  return {
    async warm() {
      for (const c of configs) {
        await c.enter?.();
        await timeWindow(c.stepper.step, timing.warmupMs, 3);
      }
    },
    async round() {
      const rates: number[] = [];
      for (const c of configs) {
        await c.enter?.();
        await c.stepper.step();
        rates.push(batch * await timeWindow(c.stepper.step, timing.minSampleMs, 2));
      }
      return rates;
    },
  };
}

/**
 * Median samples/s of every configuration of several sources (this process, a child process),
 * their rounds taken in turn (A, B, C, A, B, C, …) so a burst of outside load hits them alike and
 * the ratios of one run stay honest. One array of medians per source.
 */
export async function interleave(sources: readonly Rounds[], samples: number): Promise<number[][]> {
  for (const source of sources) await source.warm();
  const rates: number[][][] = sources.map(() => []);
  for (let s = 0; s < samples; s++) {
    for (const [i, source] of sources.entries()) rates[i].push(await source.round());
  }
  return rates.map((byRound) => byRound[0].map((_, c) => median(byRound.map((r) => r[c]))));
}

/** Median samples/s of each configuration of this process, sampled round-robin (see interleave). */
export async function roundRobin(configs: readonly Config[], batch: number, timing: TimingOptions): Promise<number[]> {
  const [medians] = await interleave([rounds(configs, batch, timing)], timing.samples);
  return medians;
}

/** One Descent model per row, run under each of `options` in turn (`init` switches the kernels; the heap, and the model, stay). */
export const descentConfigs = (options: InitOptions[]) => (row: Row): Config[] => {
  const stepper = descentStepper(row, makeBatches(row));
  return options.map((o) => ({ enter: () => init(o), stepper }));
};

/** TF.js both ways on the same batches, with whatever TF.js backend is active. */
export const tfConfigs = (tf: typeof TfCore, tfl: typeof TfLayers) => (row: Row): Config[] => {
  const data = makeBatches(row);
  return [{ stepper: tfMinimizeStepper(tf, row, data) }, { stepper: tfLayersStepper(tf, tfl, row, data) }];
};

/**
 * Samples/s of each row's configurations (round-robin within a row, rows one after another);
 * checks that every stepper's loss is finite, frees them, and reports each row through `log`.
 */
export async function perRow(label: string, timing: TimingOptions, configsOf: (row: Row) => Config[], log: (line: string) => void): Promise<number[][]> {
  const out: number[][] = [];
  for (const row of ROWS) {
    const configs = configsOf(row);
    const steppers = new Set(configs.map((c) => c.stepper));
    try {
      out.push(await roundRobin(configs, row.batch, timing));
      for (const s of steppers) if (!Number.isFinite(s.loss())) throw new Error(`${label} ${rowName(row)}: the loss is ${s.loss()}`);
    } finally {
      for (const s of steppers) s.dispose();
    }
    log(`${label} ${rowName(row)}: ${out.at(-1)!.map(Math.round).join(' / ')} samples/s`);
  }
  return out;
}

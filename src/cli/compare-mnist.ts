// `descent compare mnist`: the optimizers training the course's MNIST network from the same
// initial weights, with a table and the validation curves in one SVG.
import { join } from 'node:path';
import { init } from '../backend/init.js';
import { manualSeed } from '../core/rng.js';
import type { Sequential } from '../nn/sequential.js';
import { reshape } from '../ops/shape-ops.js';
import { CrossEntropyLoss } from '../nn/class-losses.js';
import { datasets } from '../data/index.js';
import type { Tensor } from '../core/tensor.js';
import { makeModel, makeOptimizer, COLOURS, MNIST_LEARNING_RATES, inputShape, type ModelName } from '../catalog/index.js';
import { renderSvg } from './render.js';
import { CONFIG, SCHEMA, fmt, label, lrFor, table } from './compare-common.js';
import { prepareOut, writeOutput } from './out-files.js';

export interface MnistOptions {
  epochs: number;
  /** 'mlp' (the default) or 'cnn' (src/catalog/models.ts); the lr table was tuned on the mlp. */
  model?: ModelName;
  optimizers: string[];
  batchSize: number;
  seed: number;
  lr?: Record<string, number>;
  out: string;
}

export interface MnistRun {
  optimizer: string;
  lr: number;
  /** Index 0: the initial weights (the same for every optimizer); then one entry per epoch. */
  valLoss: number[];
  valAccuracy: number[];
  trainLoss: number[];
  seconds: number;
}

/** The course network (784-16-16-10 ReLU, or the cnn), its weights drawn from the seeded generator. */
function courseNetwork(model: ModelName, seed: number): Sequential {
  manualSeed(seed);
  return makeModel(model, { hidden: [16, 16], activation: 'relu' });
}

const networkName = (model: ModelName): string => (model === 'cnn' ? 'CNN (LeNet, 9,098 parameters)' : '784-16-16-10 ReLU');

export async function compareMnist(options: MnistOptions): Promise<MnistRun[]> {
  await init();
  await prepareOut(options.out);
  const model = options.model ?? 'mlp';
  const data = await datasets.mnist();
  const { yTrain, yTest } = data;
  // The cnn's [N, 1, 28, 28] images are views of the flat digits (disposing them frees nothing).
  const xTrain = reshape(data.xTrain, [-1, ...inputShape(model)]), xTest = reshape(data.xTest, [-1, ...inputShape(model)]);
  const lossFn = new CrossEntropyLoss();
  const runs: MnistRun[] = [];
  process.stderr.write(
    `descent compare mnist: ${networkName(model)}, seed ${options.seed} (the same initial weights for every optimizer), ` +
      `batch ${options.batchSize}, ${options.epochs} epochs, ${xTrain.shape[0]} training / ${xTest.shape[0]} held-out digits\n`,
  );
  try {
    for (const name of options.optimizers) {
      const lr = lrFor(name, MNIST_LEARNING_RATES, options.lr);
      const net = courseNetwork(model, options.seed);
      const optimizer = makeOptimizer(name, net.parameters(), { lr });
      try {
        const initial = net.evaluate(xTest, yTest, { loss: lossFn, metrics: ['accuracy'] });
        const start = performance.now();
        const history = await net.fit(xTrain, yTrain, {
          loss: lossFn, optimizer, epochs: options.epochs, batchSize: options.batchSize, seed: options.seed,
          metrics: ['accuracy'], validationData: [xTest, yTest] as [Tensor, Tensor], verbose: 0,
        });
        const seconds = (performance.now() - start) / 1000;
        const e = history.epochs;
        runs.push({
          optimizer: name, lr, seconds,
          valLoss: [initial.loss, ...e.map((x) => x.valLoss ?? NaN)],
          valAccuracy: [initial.accuracy ?? NaN, ...e.map((x) => x.valAccuracy ?? NaN)],
          trainLoss: e.map((x) => x.loss),
        });
        process.stderr.write(`  ${name.padEnd(9)} done in ${seconds.toFixed(2)} s\n`);
      } finally {
        optimizer.dispose();
        net.dispose();
      }
    }
  } finally {
    for (const t of [xTrain, xTest, data.xTrain, yTrain, data.xTest, yTest]) t.dispose();
  }
  const rows = runs.map((r) => {
    const last = r.valLoss.length - 1;
    return [
      r.optimizer, fmt(r.lr), Number.isFinite(r.trainLoss[last - 1]) ? r.trainLoss[last - 1].toFixed(4) : 'NaN',
      r.valLoss[last].toFixed(4), `${(r.valAccuracy[last] * 100).toFixed(2)}%`, `${r.seconds.toFixed(2)} s`,
    ];
  });
  const file = join(options.out, 'compare-mnist.svg');
  await writeOutput(file, await mnistSvg(runs, options));
  process.stdout.write(
    `MNIST, ${networkName(model)}, ${options.epochs} epochs, batch ${options.batchSize}, seed ${options.seed}; validation = the 2,004 held-out digits\n` +
      `${table(['optimizer', 'lr', 'train loss', 'val loss', 'val accuracy', 'time'], rows)}\nwrote ${file}\n`,
  );
  return runs;
}

async function mnistSvg(runs: readonly MnistRun[], options: MnistOptions): Promise<string> {
  const labels = runs.map(label);
  const colour = {
    field: 'label', type: 'nominal', title: null,
    scale: { domain: labels, range: runs.map((r) => COLOURS[r.optimizer] ?? '#000') },
  };
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domain: [0, options.epochs], nice: false }, axis: { tickMinStep: 1 } };
  const values = runs.flatMap((r) => r.valLoss.map((l, epoch) => ({ label: label(r), epoch, loss: l, accuracy: r.valAccuracy[epoch] * 100 })));
  // The y axes fit epochs 1 on: every line starts at the same epoch-0 point (the same initial
  // weights), far above (loss) or below (accuracy), and is clipped on its way in, with a note.
  const fit = (field: 'loss' | 'accuracy', pad: number, lowest: number, highest: number): number[] => {
    const later = values.filter((v) => v.epoch > 0 && Number.isFinite(v[field])).map((v) => v[field]);
    if (later.length === 0) return [lowest, highest];
    const lo = Math.min(...later), hi = Math.max(...later), margin = Math.max((hi - lo) * pad, 0.01 * hi);
    return [Math.max(lowest, lo - margin), Math.min(highest, hi + margin)];
  };
  const initial = (field: 'loss' | 'accuracy', digits: number, unit: string): string => {
    const starts = [...new Set(values.filter((v) => v.epoch === 0).map((v) => v[field].toFixed(digits)))];
    return starts.length === 1 ? `epoch 0: ${starts[0]}${unit} for every optimizer (off the chart)` : 'epoch 0: off the chart';
  };
  const panel = (field: 'loss' | 'accuracy', title: string, domain: number[], note: string, noteAt: 'top' | 'bottom') => ({
    width: 380, height: 300,
    layer: [
      {
        data: { values: values.filter((v) => Number.isFinite(v[field])) },
        mark: { type: 'line', point: { size: 36, filled: true }, strokeWidth: 1.8, clip: true },
        encoding: { x, y: { field, type: 'quantitative', title, scale: { domain, nice: false, zero: false } }, color: colour },
      },
      {
        data: { values: [{}] },
        mark: { type: 'text', text: note, align: 'right', x: 372, y: noteAt === 'top' ? 12 : 288, fontSize: 11, color: '#444' },
      },
    ],
  });
  return renderSvg({
    $schema: SCHEMA,
    config: CONFIG,
    title: {
      text: 'Optimizers on the MNIST network',
      subtitle: `${networkName(options.model ?? 'mlp')}, the same initial weights (seed ${options.seed}) and batch order for every optimizer, batch ${options.batchSize}, ${options.epochs} epochs; validation: the 2,004 held-out digits`,
    },
    hconcat: [
      panel('loss', 'validation loss (cross-entropy)', fit('loss', 0.1, 0, Infinity), initial('loss', 3, ''), 'top'),
      panel('accuracy', 'validation accuracy (%)', fit('accuracy', 0.1, 0, 100), initial('accuracy', 1, '%'), 'bottom'),
    ],
    spacing: 40,
    resolve: { scale: { color: 'shared' } },
  });
}

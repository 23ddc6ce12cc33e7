// `descent train`: the course's MNIST network trained on the bundled digits, every choice a flag.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { init, getBackend } from '../core/runtime.js';
import { manualSeed } from '../core/rng.js';
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { Dropout } from '../nn/layers.js';
import { CrossEntropyLoss } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { datasets } from '../data/index.js';
import { MinMaxScaler, StandardScaler } from '../data/scalers.js';
import { EarlyStopping, ModelCheckpoint, type Callback } from '../train/index.js';
import { readCheckpoint, restore, save } from '../io/index.js';
import type { Tensor } from '../core/tensor.js';
import { UsageError } from './errors.js';
import { ACTIVATION_NAMES, OPTIMIZER_NAMES, SCHEDULER_NAMES, makeActivation, makeOptimizer, makeScheduler } from './factory.js';
import { curvesSvg } from './curves.js';

export interface TrainConfig {
  optimizer: string;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  scheduler: string;
  stepSize?: number;
  gamma?: number;
  tMax?: number;
  hidden: number[];
  activation: string;
  batchSize: number;
  epochs: number;
  dropout: number;
  earlyStopping?: number;
  validationSplit: number;
  scaler: string;
  backend: 'wasm' | 'js';
  /** Kernel threads: a resumed run takes the flag, not the saved value (results do not depend on it). */
  threads?: number | 'auto';
  seed: number;
  out: string;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
  return n;
};
const number = (name: string, min = -Infinity) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name} must be a number${min > -Infinity ? ` ≥ ${min}` : ''}, got '${v}'`);
  return n;
};
const threadCount = (v: string): number | 'auto' => {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError(`--threads must be 'auto' or an integer from 1 to 64, got '${v}'`);
  return n;
};
const sizes = (v: string) => {
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || !list.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(`--hidden takes positive integers separated by commas, got '${v}'`);
  return list;
};

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the 784-16-16-10 MNIST network (every choice a flag); writes model.safetensors, history.json, curves.svg')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES).default('adam'))
    .option('--lr <number>', "learning rate (default: the optimizer's own)", number('--lr', 0))
    .option('--momentum <number>', 'momentum (sgd, momentum, nesterov, rmsprop) or β (ema)', number('--momentum', 0))
    .option('--weight-decay <number>', 'L2 weight decay (decoupled for adamw, lion)', number('--weight-decay', 0))
    .addOption(new Option('--scheduler <name>', 'learning-rate schedule').choices(SCHEDULER_NAMES).default('none'))
    .option('--step-size <epochs>', 'StepLR period', positiveInt('--step-size'))
    .option('--gamma <number>', 'StepLR / ExponentialLR factor', number('--gamma', 0))
    .option('--t-max <epochs>', 'CosineAnnealingLR half period (default: --epochs)', positiveInt('--t-max'))
    .option('--hidden <sizes>', 'hidden layer sizes', sizes, [16, 16])
    .addOption(new Option('--activation <name>', 'hidden activation').choices(ACTIVATION_NAMES).default('relu'))
    .option('--batch-size <n>', 'mini-batch size (1: stochastic, 7996: full batch)', positiveInt('--batch-size'), 32)
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'), 10)
    .option('--dropout <p>', 'dropout after each hidden activation', number('--dropout', 0), 0)
    .option('--early-stopping <patience>', 'stop when the validation loss has not improved for this many epochs (holds out --validation-split)', (v) => Number(positiveInt('--early-stopping')(v)))
    .option('--validation-split <fraction>', 'fraction of the training digits held out for validation (default 0.1 with --early-stopping, else 0: the test digits are shown instead)', number('--validation-split', 0))
    .addOption(new Option('--scaler <name>', 'input scaling').choices(['none', 'minmax', 'standard']).default('none'))
    .addOption(new Option('--backend <name>', 'kernels').choices(['wasm', 'js']).default('wasm'))
    .option('--threads <n>', "wasm kernel threads, or 'auto' for every core (the weights are the same bits whatever the count)", threadCount, 1)
    .option('--seed <n>', 'seed of the weights and the batch order', (v) => Number(number('--seed')(v)), 0)
    .option('--out <dir>', 'output folder', 'runs/mnist')
    .option('--resume <file>', 'continue the run saved in this checkpoint (its flags are reused; --epochs may extend it)')
    .action(async (flags: TrainConfig & { resume?: string }, command: Command) => {
      const epochsGiven = command.getOptionValueSource('epochs') === 'cli';
      await runTrain(flags, flags.resume, epochsGiven);
    });
}

function buildModel(config: TrainConfig): Sequential {
  const layers: Module[] = [];
  const widths = [784, ...config.hidden];
  for (let i = 1; i < widths.length; i++) {
    layers.push(new Linear(widths[i - 1], widths[i]), makeActivation(config.activation));
    if (config.dropout > 0) layers.push(new Dropout({ p: config.dropout }));
  }
  layers.push(new Linear(widths[widths.length - 1], 10));
  return new Sequential(layers);
}

export async function runTrain(flags: TrainConfig, resume?: string, epochsGiven = false): Promise<void> {
  if (flags.dropout >= 1) throw new UsageError(`--dropout must be below 1, got ${flags.dropout}`);
  const checkpoint = resume ? await readCheckpoint(resume) : null;
  const saved = checkpoint?.extra.config as TrainConfig | undefined;
  if (checkpoint && !saved) throw new UsageError(`${resume} was not written by descent train (it has no saved configuration)`);
  const config: TrainConfig = saved
    ? { ...saved, epochs: epochsGiven ? flags.epochs : saved.epochs, out: flags.out, threads: flags.threads }
    : flags;
  if (config.earlyStopping !== undefined && config.validationSplit === undefined) config.validationSplit = 0.1;
  config.validationSplit ??= 0;

  await init({ backend: config.backend, threads: config.backend === 'wasm' ? config.threads : 1 });
  manualSeed(config.seed);
  const data = await datasets.mnist();
  let { xTrain, xTest } = data;
  const { yTrain, yTest } = data;
  if (config.scaler !== 'none') {
    const scaler = config.scaler === 'minmax' ? new MinMaxScaler() : new StandardScaler();
    const a = scaler.fitTransform(xTrain), b = scaler.transform(xTest);
    xTrain.dispose(); xTest.dispose();
    xTrain = a; xTest = b;
  }
  const model = buildModel(config);
  const optimizer = makeOptimizer(config.optimizer, model.parameters(), config);
  const trainCount = Math.round(xTrain.shape[0] * (1 - config.validationSplit));
  const batches = Math.ceil(trainCount / config.batchSize);
  const { scheduler, per } = makeScheduler(config.scheduler, optimizer, config, config.epochs, batches);
  if (checkpoint) restore(checkpoint, { model, optimizer, scheduler });
  const initialEpoch = checkpoint?.epoch ?? 0;
  const loaderState = checkpoint?.extra.loader as number[] | undefined;
  const previous = (checkpoint?.extra.history as { epochs?: unknown[] } | undefined)?.epochs ?? [];

  await mkdir(config.out, { recursive: true });
  const checkpointPath = join(config.out, 'checkpoint.safetensors');
  const callbacks: Callback[] = [new ModelCheckpoint({
    path: checkpointPath, optimizer, scheduler,
    extra: (ctx) => ({ config, history: { epochs: [...previous, ...(ctx.logged ?? [])] } }),
  })];
  if (config.earlyStopping !== undefined) callbacks.push(new EarlyStopping({ patience: config.earlyStopping, restoreBestWeights: true }));

  const backend = getBackend();
  process.stderr.write(
    `descent train: ${[784, ...config.hidden, 10].join('-')} ${config.activation}, ${config.optimizer} lr ${optimizer.paramGroups[0].lr}, ` +
      `batch ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}, ${backend.backend}${backend.build ? ` ${backend.build}` : ''}` +
      `${backend.threads > 1 ? ` ×${backend.threads}` : ''}` +
      `${initialEpoch ? `, resuming after epoch ${initialEpoch}` : ''}\n`,
  );
  const lossFn = new CrossEntropyLoss();
  const start = performance.now();
  const history = await model.fit(xTrain, yTrain, {
    loss: lossFn, optimizer, scheduler, schedulerStep: per, epochs: config.epochs, batchSize: config.batchSize,
    seed: config.seed, metrics: ['accuracy'], verbose: 1, callbacks, initialEpoch, loaderState,
    ...(config.validationSplit > 0 ? { validationSplit: config.validationSplit } : { validationData: [xTest, yTest] as [Tensor, Tensor] }),
  });
  const seconds = (performance.now() - start) / 1000;
  const test = model.evaluate(xTest, yTest, { loss: lossFn });
  const epochs = [...previous, ...history.epochs] as typeof history.epochs;
  // Overall training throughput: all samples over all time spent in training steps.
  const trainSeconds = history.epochs.reduce((t, e) => t + trainCount / e.samplesPerSecond, 0);
  const trained = (trainCount * history.epochs.length) / trainSeconds;

  await save(join(config.out, 'model.safetensors'), { model, epoch: initialEpoch + history.epochs.length, extra: { config } });
  await writeFile(join(config.out, 'history.json'), JSON.stringify({ config, epochs, test }, null, 2) + '\n');
  await writeFile(join(config.out, 'curves.svg'), await curvesSvg(epochs, config.validationSplit > 0 ? 'validation' : 'test'));

  const rows: [string, string][] = [
    ['test accuracy', `${(test.accuracy! * 100).toFixed(2)}%`],
    ['test loss', test.loss.toFixed(4)],
    ['epochs', `${initialEpoch + history.epochs.length}`],
    ['training time', `${seconds.toFixed(2)} s`],
    ['samples/s', Math.round(trained).toLocaleString('en-US')],
    ['written', `${config.out}/model.safetensors, history.json, curves.svg`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  for (const t of [xTrain, xTest, yTrain, yTest]) t.dispose();
  model.dispose();
}

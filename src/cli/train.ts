// `descent train`: the course's MNIST network trained on the bundled digits, every choice a flag.
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { init, getBackend } from '../backend/init.js';
import { manualSeed } from '../core/rng.js';
import { reshape } from '../ops/shape-ops.js';
import { CrossEntropyLoss } from '../nn/class-losses.js';
import { datasets } from '../data/index.js';
import { MinMaxScaler, StandardScaler } from '../data/scalers.js';
import { normalizePixels } from './normalize-pixels.js';
import { EarlyStopping, ModelCheckpoint, type Callback } from '../train/index.js';
import { readCheckpoint, restore, save } from '../io/index.js';
import { saveOnnx } from '../io/onnx.js';
import type { Tensor } from '../core/tensor.js';
import { UsageError } from './errors.js';
import { ACTIVATION_NAMES, OPTIMIZER_NAMES, SCHEDULER_NAMES, inputShape, makeModel, makeOptimizer, makeScheduler } from '../catalog/index.js';
import { curvesSvg } from './curves.js';
import { prepareOut, writeOutput } from './out-files.js';
import {
  HELP, HELP_AFTER, checkApplicable, checkResumeAgrees, fraction, inFlagTerms, nonNegative, positive, positiveInt, seed, sizes, threadCount,
} from './train-flags.js';

export interface TrainConfig {
  optimizer: string;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  scheduler: string;
  stepSize?: number;
  gamma?: number;
  tMax?: number;
  /** 'mlp' (784 → hidden → 10) or 'cnn' (the LeNet of issue #15); absent in checkpoints older than it: mlp. */
  model?: 'mlp' | 'cnn';
  hidden: number[];
  activation: string;
  batchSize: number;
  epochs: number;
  dropout: number;
  earlyStopping?: number;
  validationSplit: number;
  /** Absent in a new run's flags: normalize with --model cnn, none with mlp. */
  scaler?: string;
  backend: 'wasm' | 'js';
  /** Kernel threads: a resumed run takes the flag, not the saved value (results do not depend on it). */
  threads?: number | 'auto';
  seed: number;
  out: string;
}

/** The files a run writes into --out. */
const OUTPUTS = ['checkpoint.safetensors', 'model.safetensors', 'history.json', 'curves.svg'];

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the 784-16-16-10 MNIST network (every choice a flag); writes model.safetensors, history.json, curves.svg')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES).default('adam'))
    .option('--lr <number>', HELP.lr, positive('--lr'))
    .option('--momentum <number>', HELP.momentum, fraction('--momentum'))
    .option('--weight-decay <number>', HELP.weightDecay, nonNegative('--weight-decay'))
    .addOption(new Option('--scheduler <name>', 'learning-rate schedule').choices(SCHEDULER_NAMES).default('none'))
    .option('--step-size <epochs>', HELP.stepSize, positiveInt('--step-size'))
    .option('--gamma <number>', HELP.gamma, positive('--gamma'))
    .option('--t-max <epochs>', HELP.tMax, positiveInt('--t-max'))
    .addOption(new Option('--model <name>', 'mlp: 784 → --hidden → 10; cnn: Conv2d(1,8,3) → ReLU → MaxPool2d(2) → Conv2d(8,16,3) → ReLU → MaxPool2d(2) → Linear(784,10)').choices(['mlp', 'cnn']).default('mlp'))
    .option('--hidden <sizes>', 'hidden layer sizes', sizes, [16, 16])
    .addOption(new Option('--activation <name>', 'hidden activation').choices(ACTIVATION_NAMES).default('relu'))
    .option('--batch-size <n>', 'mini-batch size (1: stochastic, 7996: full batch)', positiveInt('--batch-size'), 32)
    .option('--epochs <n>', 'epochs (with --resume: the total to reach)', positiveInt('--epochs'), 10)
    .option('--dropout <p>', 'dropout after each hidden activation, in [0, 1)', fraction('--dropout'), 0)
    .option('--early-stopping <patience>', 'stop when the validation loss has not improved for this many epochs (holds out --validation-split) (default: off)', positiveInt('--early-stopping'))
    .option('--validation-split <fraction>', 'fraction of the training digits held out for validation (default: 0.1 with --early-stopping, else 0: the test digits are shown instead)', fraction('--validation-split'))
    .addOption(new Option('--scaler <name>', 'input scaling: per-pixel minmax or standard (scikit-learn\'s), or normalize: one mean and std over all training pixels, as torchvision\'s Normalize (default: normalize with --model cnn, as torch\'s MNIST example; none with mlp, the course\'s raw grey levels)').choices(['none', 'minmax', 'standard', 'normalize']))
    .addOption(new Option('--backend <name>', 'kernels').choices(['wasm', 'js']).default('wasm'))
    .option('--threads <n>', "wasm kernel threads, or 'auto' for every core (the weights are the same bits whatever the count)", threadCount, 1)
    .option('--seed <n>', 'seed of the weights and the batch order', seed, 0)
    .option('--out <dir>', `output folder (${OUTPUTS.join(', ')})`, 'runs/mnist')
    .option('--resume <file>', 'continue the run saved in this checkpoint (its flags are kept; --epochs may extend it) (default: none, a new run)')
    .option('--onnx', 'also write model.onnx beside the checkpoint: the trained model as ONNX (opset 17), for ONNX Runtime (default: off)')
    .addHelpText('after', HELP_AFTER)
    .action(async ({ onnx, ...flags }: TrainConfig & { resume?: string; onnx?: boolean }, command: Command) => {
      const given = Object.keys(flags).filter((k) => command.getOptionValueSource(k) === 'cli');
      await runTrain(flags, flags.resume, given, onnx);
    });
}

/**
 * Trains as the flags say (`given`: the flags typed on the command line), or resumes the run saved
 * in `resume`. Errors are one line in flag terms.
 */
export async function runTrain(flags: TrainConfig, resume?: string, given: readonly string[] = [], onnx = false): Promise<void> {
  try {
    await train(flags, resume, given, onnx);
  } catch (error) {
    throw inFlagTerms(error);
  }
}

async function train(flags: TrainConfig, resume: string | undefined, given: readonly string[], onnx: boolean): Promise<void> {
  const checkpoint = resume ? await readCheckpoint(resume) : null;
  const saved = checkpoint?.extra.config as TrainConfig | undefined;
  if (checkpoint && !saved) throw new UsageError(`${resume} was not written by descent train (it has no saved configuration)`);
  if (saved) checkResumeAgrees(given, flags as unknown as Record<string, unknown>, saved as unknown as Record<string, unknown>);
  const config: TrainConfig = saved
    ? { ...saved, epochs: given.includes('epochs') ? flags.epochs : saved.epochs, out: flags.out, threads: flags.threads }
    : flags;
  checkApplicable(given, config);
  const mlpOnly = given.filter((k) => ['hidden', 'activation', 'dropout'].includes(k));
  if (config.model === 'cnn' && mlpOnly.length > 0) throw new UsageError(`--${mlpOnly[0]} is not read by --model cnn, only by --model mlp`);
  const initialEpoch = checkpoint?.epoch ?? 0;
  if (initialEpoch >= config.epochs) {
    throw new UsageError(given.includes('epochs')
      ? `--epochs ${config.epochs} is not beyond the ${initialEpoch} epochs ${resume} has done; give --epochs ${initialEpoch + 1} or more`
      : `the run in ${resume} has done all its ${initialEpoch} epochs; give --epochs ${initialEpoch + 1} or more to train on`);
  }
  if (config.earlyStopping !== undefined && config.validationSplit === undefined) config.validationSplit = 0.1;
  config.scaler ??= config.model === 'cnn' ? 'normalize' : 'none';
  config.validationSplit ??= 0;
  await prepareOut(config.out, onnx ? [...OUTPUTS, 'model.onnx'] : OUTPUTS);

  await init({ backend: config.backend, threads: config.backend === 'wasm' ? config.threads : 1 });
  manualSeed(config.seed);
  const data = await datasets.mnist();
  let { xTrain, xTest } = data;
  const { yTrain, yTest } = data;
  let normalized: { mean: number; std: number } | undefined;
  if (config.scaler !== 'none') {
    const scaler = config.scaler === 'minmax' ? new MinMaxScaler() : config.scaler === 'standard' ? new StandardScaler() : null;
    let a: Tensor, b: Tensor;
    if (scaler) [a, b] = [scaler.fitTransform(xTrain), scaler.transform(xTest)];
    else ({ train: a, test: b, ...normalized } = normalizePixels(xTrain, xTest));
    xTrain.dispose(); xTest.dispose();
    xTrain = a; xTest = b;
  }
  const digits = [xTrain, xTest]; // freed at the end (the cnn's images below are views of them)
  if (config.model === 'cnn') {
    xTrain = reshape(xTrain, [-1, 1, 28, 28]);
    xTest = reshape(xTest, [-1, 1, 28, 28]);
  }
  // As a torch script: torch.manual_seed(seed), the model, then a DataLoader(shuffle=True) drawing
  // each epoch's order from the global generator — the same seed gives torch's weights and order.
  const model = makeModel(config.model ?? 'mlp', config);
  const optimizer = makeOptimizer(config.optimizer, model.parameters(), config);
  const trainCount = Math.round(xTrain.shape[0] * (1 - config.validationSplit));
  const batches = Math.ceil(trainCount / config.batchSize);
  const { scheduler, per } = makeScheduler(config.scheduler, optimizer, config, config.epochs, batches);
  if (checkpoint) restore(checkpoint, { model, optimizer, scheduler });
  const loaderState = checkpoint?.extra.loader as number[] | undefined;
  const previous = (checkpoint?.extra.history as { epochs?: unknown[] } | undefined)?.epochs ?? [];

  const checkpointPath = join(config.out, 'checkpoint.safetensors');
  const callbacks: Callback[] = [new ModelCheckpoint({
    path: checkpointPath, optimizer, scheduler,
    extra: (ctx) => ({ config, history: { epochs: [...previous, ...(ctx.logged ?? [])] } }),
  })];
  if (config.earlyStopping !== undefined) callbacks.push(new EarlyStopping({ patience: config.earlyStopping, restoreBestWeights: true }));

  const backend = getBackend();
  process.stderr.write(
    `descent train: ${config.model === 'cnn' ? 'cnn' : `${[784, ...config.hidden, 10].join('-')} ${config.activation}`}, ${config.optimizer} lr ${optimizer.paramGroups[0].lr}, ` +
      `batch ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}, ${backend.backend}${backend.build ? ` ${backend.build}` : ''}` +
      `${backend.threads > 1 ? ` ×${backend.threads}` : ''}` +
      `${initialEpoch ? `, resuming after epoch ${initialEpoch}` : ''}\n`,
  );
  const lossFn = new CrossEntropyLoss();
  const start = performance.now();
  const history = await model.fit(xTrain, yTrain, {
    loss: lossFn, optimizer, scheduler, schedulerStep: per, epochs: config.epochs, batchSize: config.batchSize,
    metrics: ['accuracy'], verbose: 1, callbacks, initialEpoch, loaderState,
    ...(config.validationSplit > 0 ? { validationSplit: config.validationSplit } : { validationData: [xTest, yTest] as [Tensor, Tensor] }),
  });
  const seconds = (performance.now() - start) / 1000;
  const test = model.evaluate(xTest, yTest, { loss: lossFn });
  const epochs = [...previous, ...history.epochs] as typeof history.epochs;
  // Overall training throughput: all samples over all time spent in training steps.
  const trainSeconds = history.epochs.reduce((t, e) => t + trainCount / e.samplesPerSecond, 0);
  const trained = (trainCount * history.epochs.length) / trainSeconds;

  await save(join(config.out, 'model.safetensors'), { model, epoch: initialEpoch + history.epochs.length, extra: { config } });
  if (onnx) await saveOnnx(join(config.out, 'model.onnx'), model, { inputShape: inputShape(config.model ?? 'mlp') });
  // The model expects its inputs as it trained on them: record the map --scaler normalize applied.
  await writeOutput(join(config.out, 'history.json'), JSON.stringify({ config, ...(normalized ? { normalize: normalized } : {}), epochs, test }, null, 2) + '\n');
  await writeOutput(join(config.out, 'curves.svg'), await curvesSvg(epochs, config.validationSplit > 0 ? 'validation' : 'test'));

  const rows: [string, string][] = [
    ['test accuracy', `${(test.accuracy! * 100).toFixed(2)}%`],
    ['test loss', test.loss.toFixed(4)],
    ['epochs', `${initialEpoch + history.epochs.length}`],
    // The steps alone are what PyTorch's loops time; the whole fit adds evaluating after each epoch.
    ['training time', `${seconds.toFixed(2)} s (training steps ${trainSeconds.toFixed(2)} s, evaluation after each epoch ${(seconds - trainSeconds).toFixed(2)} s)`],
    ['samples/s', Math.round(trained).toLocaleString('en-US')],
    ['written', `${config.out}/model.safetensors, ${onnx ? 'model.onnx, ' : ''}history.json, curves.svg`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  for (const t of [...digits, yTrain, yTest]) t.dispose();
  model.dispose();
}

// The training worker: it owns a Descent runtime (its own wasm heap), the MNIST split and the model,
// so the page stays responsive while it trains. Messages: protocol.ts.
import {
  init, manualSeed, datasets, reshape, Sequential, CrossEntropyLoss, Tensor, type MnistSplit,
  type BackendInfo, type Callback, type EpochLogs,
} from 'descent';
import { toOnnx } from '../../src/onnx.js';
import { inputShape, makeModel, makeOptimizer, makeScheduler, type ModelName, type TrainableOptimizer } from '../../src/catalog/index.js';
import { loadDigits } from './digits.js';
import type { EpochPoint, FromWorker, ToWorker, TrainConfig } from './protocol.js';

const post = (message: FromWorker, transfer: Transferable[] = []): void => self.postMessage(message, { transfer });

/** Progress messages at least this often (ms), and how often the worker reads its inbox (Stop, predictions). */
const PROGRESS_EVERY = 100;

let data: MnistSplit | null = null;
let model: Sequential | null = null;
/** Which network `model` is (the shape predict() gives a digit). */
let modelName: ModelName = 'mlp';
let optimizer: TrainableOptimizer | null = null;
let training = false;
let stopRequested = false;

class Stopped extends Error {}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  const run = async (): Promise<void> => {
    switch (message.type) {
      case 'load': return load(message.digitsUrl);
      case 'train': return train(message.config);
      case 'stop': stopRequested = true; return;
      case 'predict': return predict(message.pixels);
      case 'sample': return sample();
      case 'onnx': return exportOnnx();
    }
  };
  run().catch((error: unknown) => {
    training = false;
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  });
};

/** Most threads the Threads choice offers. */
const MAX_THREADS = 8;

/**
 * The runtime, ready for threads where the page may use them. Threads need a shared heap, which
 * only the first init of a runtime can create: in a cross-origin isolated page it asks for two
 * threads (which makes the heap shared and proves workers start), then switches to one; each run's
 * init then switches to its count, starting that count's workers the first time it is picked.
 * Elsewhere, or if the threaded init fails (no SIMD, say), the plain single-threaded kernels.
 */
async function initRuntime(): Promise<{ info: BackendInfo; maxThreads: number; threadsNote?: string }> {
  if (!self.crossOriginIsolated) {
    const note = 'Threads need a cross-origin isolated page (served with COOP/COEP headers); this one is not.';
    return { info: await init(), maxThreads: 1, threadsNote: note };
  }
  const maxThreads = Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1));
  if (maxThreads === 1) return { info: await init(), maxThreads, threadsNote: 'This browser reports a single core.' };
  try {
    await init({ threads: 2 });
  } catch (error) {
    return { info: await init(), maxThreads: 1, threadsNote: `Threads are unavailable: ${(error as Error).message}` };
  }
  return { info: await init({ threads: 1 }), maxThreads };
}

async function load(digitsUrl: string): Promise<void> {
  const [{ info, maxThreads, threadsNote }, digits] = await Promise.all([initRuntime(), loadDigits(digitsUrl)]);
  data = await datasets.mnist({ digits }); // the CLI's split: the first 80% of each digit trains
  post({ type: 'ready', backend: info.backend, build: info.build, train: data.yTrain.size, test: data.yTest.size, maxThreads, threadsNote });
}

async function train(config: TrainConfig): Promise<void> {
  if (!data) throw new Error('the digits are not loaded yet');
  if (training) throw new Error('already training');
  training = true;
  stopRequested = false;
  optimizer?.dispose();
  model?.dispose();
  model = optimizer = null;
  const info = await init({ threads: config.threads }); // the same bits whatever the count
  const { yTrain, yTest } = data;
  // The cnn takes the digits as [N, 1, 28, 28] images: views of the same memory, freed after the run.
  const shape = inputShape(config.model);
  const xTrain = reshape(data.xTrain, [-1, ...shape]), xTest = reshape(data.xTest, [-1, ...shape]);

  manualSeed(config.seed); // the same settings give the same run
  modelName = config.model;
  const net = (model = makeModel(config.model, { hidden: config.hidden, activation: config.activation }));
  const opt = (optimizer = makeOptimizer(config.optimizer, net.parameters(), { lr: config.lr }));
  const batches = Math.ceil(xTrain.shape[0] / config.batchSize);
  const { scheduler, per } = makeScheduler(config.scheduler, opt, {}, config.epochs, batches);
  const loss = new CrossEntropyLoss();
  post({
    type: 'started', parameters: net.numParameters(), summary: net.summary(), batches,
    backend: info.backend, build: info.build, threads: info.threads,
  });

  const before = net.evaluate(xTest, yTest, { loss, batchSize: 500 });
  post({ type: 'epoch', point: { epoch: 0, valLoss: before.loss, valAccuracy: before.accuracy ?? NaN, lr: opt.paramGroups[0].lr } });

  // Progress about 25 times an epoch (and at least every PROGRESS_EVERY ms): the mean loss of the
  // batches since the last message, and the samples/s of the epoch so far. The worker yields to
  // its inbox at most every PROGRESS_EVERY ms, since each yield costs a few ms of timer clamping.
  const postEvery = Math.max(1, Math.ceil(batches / 25));
  let epoch = 0, epochStart = 0, epochSamples = 0, lastYield = 0, lastPost = 0, windowLoss = 0, windowSamples = 0, windowBatches = 0;
  const progress: Callback = {
    onEpochBegin(e) {
      epoch = e;
      epochStart = lastYield = lastPost = performance.now();
      epochSamples = 0;
    },
    async onBatchEnd(logs) {
      windowLoss += logs.loss * logs.samples;
      windowSamples += logs.samples;
      epochSamples += logs.samples;
      windowBatches++;
      const now = performance.now();
      const last = logs.batch + 1 === logs.batches;
      if (windowBatches >= postEvery || now - lastPost >= PROGRESS_EVERY || last) {
        post({
          type: 'progress',
          x: epoch + (logs.batch + 1) / logs.batches,
          loss: windowLoss / windowSamples,
          samplesPerSecond: (epochSamples / Math.max(now - epochStart, 1e-3)) * 1000,
          lr: opt.paramGroups[0].lr,
        });
        windowLoss = windowSamples = windowBatches = 0;
        lastPost = now;
      }
      if (now - lastYield >= PROGRESS_EVERY) {
        await new Promise((resolve) => setTimeout(resolve, 0)); // let Stop and predictions in
        if (stopRequested) throw new Stopped();
        lastYield = performance.now();
      }
    },
    onEpochEnd(logs: EpochLogs) {
      const point: EpochPoint = {
        epoch: logs.epoch + 1, loss: logs.loss, accuracy: logs.accuracy, valLoss: logs.valLoss ?? NaN,
        valAccuracy: logs.valAccuracy ?? NaN, lr: logs.lr, samplesPerSecond: logs.samplesPerSecond, seconds: logs.time,
      };
      post({ type: 'epoch', point });
    },
  };

  try {
    await net.fit(xTrain, yTrain, {
      loss, optimizer: opt, scheduler, schedulerStep: per, epochs: config.epochs, batchSize: config.batchSize,
      shuffle: true, seed: config.seed, validationData: [xTest, yTest], metrics: ['accuracy'], callbacks: [progress],
    });
    post({ type: 'done', reason: 'finished' });
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    post({ type: 'done', reason: 'stopped' });
  } finally {
    training = false;
    xTrain.dispose();
    xTest.dispose();
  }
}

/** Class probabilities for one 28×28 image (softmax of the logits, in float64). */
function predict(pixels: Float32Array): void {
  if (!model) {
    post({ type: 'prediction', probs: null });
    return;
  }
  const x = new Tensor([1, ...inputShape(modelName)]);
  x.data.set(pixels);
  const logits = model.predict(x);
  const z = logits.toArray();
  x.dispose();
  logits.dispose();
  const max = Math.max(...z);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  const probs = Float32Array.from(e, (v) => v / total);
  post({ type: 'prediction', probs }, [probs.buffer]);
}

/** The model as it is now (between two batches while it trains) as an ONNX file. */
function exportOnnx(): void {
  if (!model) throw new Error('train the network first: there is no model to download');
  const bytes = toOnnx(model, { inputShape: inputShape(modelName) });
  post({ type: 'onnx', bytes, fileName: `descent-mnist-${modelName}.onnx` }, [bytes.buffer]);
}

/** A random digit of the validation split (the network never trained on it). */
function sample(): void {
  if (!data) return;
  const { xTest, yTest } = data;
  const i = Math.floor(Math.random() * yTest.size);
  const pixels = xTest.data.slice(i * 784, (i + 1) * 784);
  post({ type: 'sample', pixels, label: yTest.data[i] }, [pixels.buffer]);
}

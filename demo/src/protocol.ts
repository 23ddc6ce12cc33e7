// The messages between the page (main.ts) and the training worker (worker.ts).

export interface TrainConfig {
  /** The network (src/catalog/models.ts); hidden and activation are read by 'mlp' only. */
  model: 'mlp' | 'cnn';
  optimizer: string;
  /** undefined: the optimizer's own default (src/cli/factory.ts). */
  lr?: number;
  scheduler: string;
  activation: string;
  hidden: number[];
  batchSize: number;
  epochs: number;
  seed: number;
  /** Threads that run the kernels, 1…the 'ready' message's maxThreads (init({ threads })). */
  threads: number;
}

export type ToWorker =
  | { type: 'load'; digitsUrl: string }
  | { type: 'train'; config: TrainConfig }
  | { type: 'stop' }
  | { type: 'predict'; pixels: Float32Array }
  | { type: 'sample' }
  | { type: 'onnx' };

export interface EpochPoint {
  /** Epochs done (0 = before training). */
  epoch: number;
  loss?: number;
  accuracy?: number;
  valLoss: number;
  valAccuracy: number;
  lr: number;
  samplesPerSecond?: number;
  seconds?: number;
}

export type FromWorker =
  | {
      type: 'ready'; backend: string; build: string | null; train: number; test: number; parameters?: number;
      /** The most threads a run may ask for: 1 where threads are out of reach (threadsNote says why). */
      maxThreads: number;
      threadsNote?: string;
    }
  | { type: 'started'; parameters: number; summary: string; batches: number; backend: string; build: string | null; threads: number }
  | { type: 'progress'; x: number; loss: number; samplesPerSecond: number; lr: number }
  | { type: 'epoch'; point: EpochPoint }
  | { type: 'done'; reason: 'finished' | 'stopped' }
  | { type: 'prediction'; probs: Float32Array | null }
  | { type: 'sample'; pixels: Float32Array; label: number }
  /** The model as an ONNX file (toOnnx), named for the download. */
  | { type: 'onnx'; bytes: Uint8Array<ArrayBuffer>; fileName: string }
  | { type: 'error'; message: string };

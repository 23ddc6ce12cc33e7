// The accuracy of `descent train --model cnn` against PyTorch (issue #15): writes what the CLI
// trains on — our MNIST split with the CLI's `--scaler normalize`, and for each seed the CNN's
// initial weights and the fit loop's batch order — as raw float32/int32 files into a temp
// folder, then runs bench/lenet_accuracy.py, which trains torch's CNN as a torch script does
// (torch.manual_seed, the model, a shuffling DataLoader), checks that it started from the same
// weights in the same order, and prints its test accuracy. Not part of `npm run bench`:
//   flock /tmp/descent-cpu.lock npx tsx bench/lenet-accuracy.ts [seed ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, manualSeed, datasets, DataLoader, TensorDataset, Tensor } from '../src/index.js';
import { makeModel } from '../src/catalog/index.js';
import { normalizePixels } from '../src/cli/normalize-pixels.js';

const EPOCHS = 10, BATCH = 32;
const seeds = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'lenet-accuracy-'));
await init({ backend: 'wasm', build: 'simd' });
const data = await datasets.mnist();
const { train: xTrain, test: xTest } = normalizePixels(data.xTrain, data.xTest);
const raw = (name: string, a: Float32Array | Int32Array) => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
raw('x_train.f32', xTrain.toArray());
raw('y_train.f32', data.yTrain.toArray());
raw('x_test.f32', xTest.toArray());
raw('y_test.f32', data.yTest.toArray());
const n = xTrain.shape[0];
for (const seed of seeds.length ? seeds : [0]) {
  // As src/cli/train.ts: the seed, the model, then fit's loader drawing each epoch from the global generator.
  manualSeed(seed);
  const model = makeModel('cnn');
  for (const [name, p] of model.namedParameters()) raw(`seed${seed}.${name}.f32`, p.toArray());
  const index = new Tensor([n]);
  index.data.set(Float32Array.from({ length: n }, (_, i) => i));
  const loader = new DataLoader(new TensorDataset(index, index), { batchSize: BATCH, shuffle: true });
  const order = new Int32Array(EPOCHS * n);
  let at = 0;
  for (let e = 0; e < EPOCHS; e++) for (const [bx] of loader) for (const v of bx.toArray()) order[at++] = v;
  raw(`seed${seed}.order.i32`, order);
  [loader, model, index].forEach((t) => t.dispose());
}
const script = fileURLToPath(new URL('./lenet_accuracy.py', import.meta.url));
const run = spawnSync('/usr/bin/python3', [script, dir, String(EPOCHS), String(BATCH), ...(seeds.length ? seeds : [0]).map(String)], { stdio: 'inherit' });
process.exit(run.status ?? 1);

// The accuracy of `descent train --model cnn` against PyTorch (issue #15: 95.76 % against torch's
// 96.4–96.6 %): writes what the CLI trains on — our MNIST split, the CNN's initial weights for a
// seed, the fit loop's batch order — as raw float32/int32 files into a temp folder, then runs
// bench/lenet_accuracy.py, which trains torch's CNN from those weights in that order (and from its
// own initialisation) and prints the test accuracies. Not part of `npm run bench`:
//   flock /tmp/descent-cpu.lock npx tsx bench/lenet-accuracy.ts [seed ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, manualSeed, datasets, DataLoader, TensorDataset, Tensor } from '../src/index.js';
import { makeModel } from '../src/catalog/index.js';

const EPOCHS = 10, BATCH = 32;
const seeds = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'lenet-accuracy-'));
await init({ backend: 'wasm', build: 'simd' });
const data = await datasets.mnist();
const raw = (name: string, a: Float32Array | Int32Array) => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
raw('x_train.f32', data.xTrain.toArray());
raw('y_train.f32', data.yTrain.toArray());
raw('x_test.f32', data.xTest.toArray());
raw('y_test.f32', data.yTest.toArray());
const n = data.xTrain.shape[0];
for (const seed of seeds.length ? seeds : [0]) {
  // As src/cli/train.ts: the seed, then the data (its own fixed shuffle), then the model; fit's loader.
  manualSeed(seed);
  const model = makeModel('cnn');
  for (const [name, p] of model.namedParameters()) raw(`seed${seed}.${name}.f32`, p.toArray());
  const index = new Tensor([n]);
  index.data.set(Float32Array.from({ length: n }, (_, i) => i));
  const loader = new DataLoader(new TensorDataset(index, index), { batchSize: BATCH, shuffle: true, seed });
  const order = new Int32Array(EPOCHS * n);
  let at = 0;
  for (let e = 0; e < EPOCHS; e++) for (const [bx] of loader) for (const v of bx.toArray()) order[at++] = v;
  raw(`seed${seed}.order.i32`, order);
  [loader, model, index].forEach((t) => t.dispose());
}
const script = fileURLToPath(new URL('./lenet_accuracy.py', import.meta.url));
const run = spawnSync('/usr/bin/python3', [script, dir, String(EPOCHS), String(BATCH), ...(seeds.length ? seeds : [0]).map(String)], { stdio: 'inherit' });
process.exit(run.status ?? 1);

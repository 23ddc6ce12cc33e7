// The child of the SIGKILL test (checkpoint-faults.node.test.ts): saves a 24 MB Adam checkpoint (2 M parameters)
// over and over to argv[2], version k with every weight equal to k, and prints `saved k` after
// each save returns. The parent kills it at random moments.
import { init, Sequential, Linear, Adam, tensor, MSELoss } from '../src/index.js';
import { save } from '../src/io/index.js';

const path = process.argv[2];
await init();
const model = new Sequential([new Linear(1000, 1000), new Linear(1000, 1000)], { seed: 1 });
const optimizer = new Adam(model.parameters(), { lr: 0.01 });
// One step so that Adam's moments exist and are saved as tensors.
const x = tensor(new Float32Array(1000).fill(0.5), [1, 1000]);
const loss = new MSELoss().forward(model.forward(x), tensor(new Float32Array(1000), [1, 1000]));
loss.backward();
optimizer.step();
for (let k = 1; ; k++) {
  for (const p of model.parameters()) p.data.fill(k);
  await save(path, { model, optimizer, epoch: k, extra: { version: k } });
  process.stdout.write(`saved ${k}\n`);
}

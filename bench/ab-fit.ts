// A/B of two built checkouts on what `npm start` does: `fit` on the bundled MNIST digits, epoch by
// epoch, the two checkouts' models (seeded alike, so the same bits) alternating in one process.
// The first-loaded checkout tends to run a few per cent slower here: run both orders.
//   npx tsx bench/ab-fit.ts <checkoutA> <checkoutB> [sizes like 784-16-16-10] [epochs]
import { pathToFileURL } from 'node:url';
import type * as Descent from '../src/index.js';
import { mlpLayers } from './full-step.js';

const [dirA, dirB, net = '784-16-16-10', epochsArg = '20'] = process.argv.slice(2);
if (!dirA || !dirB) throw new Error('usage: npx tsx bench/ab-fit.ts <checkoutA> <checkoutB> [sizes] [epochs]');

/** One checkout's model, optimizer and data; each call trains one more epoch and returns its ms. */
async function trainer(dir: string): Promise<() => Promise<number>> {
  const d = await import(pathToFileURL(`${dir}/dist/index.js`).href) as typeof Descent;
  await d.init({ backend: 'wasm', build: 'simd' });
  const { xTrain, yTrain } = await d.datasets.mnist();
  d.manualSeed(0);
  const model = new d.Sequential(mlpLayers(d, net));
  const optimizer = new d.Adam(model.parameters(), { lr: 1e-3 });
  const loss = new d.CrossEntropyLoss();
  let epoch = 0;
  return async () => {
    const t0 = performance.now();
    await model.fit(xTrain, yTrain, { loss, optimizer, epochs: epoch + 1, initialEpoch: epoch, batchSize: 32, verbose: 0 });
    epoch++;
    return performance.now() - t0;
  };
}

const runs = [await trainer(dirA), await trainer(dirB)];
const times: number[][] = [[], []];
for (let e = 0; e < Number(epochsArg); e++) {
  for (const i of e % 2 ? [1, 0] : [0, 1]) times[i].push(await runs[i]());
}
const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
const [a, b] = times.map(total);
console.log(`${net}, ${epochsArg} epochs: A ${a.toFixed(0)} ms, B ${b.toFixed(0)} ms, B/A ${(b / a).toFixed(3)}`);

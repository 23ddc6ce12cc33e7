// The full training step of ../shared/bench/train_step.mts (zeroGrad, forward, CrossEntropyLoss,
// backward, Adam 1e-3, loss.item()) on a library module passed in, so that a script can build it
// on dist/ or src/, or on two checkouts side by side (bench/ab-step.ts, bench/step-overhead.ts).
import type * as Descent from '../src/index.js';

/**
 * A seeded model for `net` — an MLP by its sizes ('784-16-16-10', ReLU between the Linear layers),
 * 'lenet' (the CNN of issue #15) or 'separable' (a MobileNet-style CNN: 3×3 depthwise + 1×1
 * pointwise blocks) — Adam on it, and 8 batches of seeded MNIST-shaped data it
 * cycles through. Returns the step and the first input batch (whose memory a caller may use as
 * scratch).
 */
export function fullStep(d: typeof Descent, net: string, batch: number): { step: () => void; input: Descent.Tensor } {
  d.manualSeed(0);
  const image = net === 'lenet' || net === 'separable';
  const layers: Descent.Module[] = [];
  if (net === 'lenet') {
    layers.push(new d.Conv2d(1, 8, 3, { padding: 1 }), new d.ReLU(), new d.MaxPool2d(2),
      new d.Conv2d(8, 16, 3, { padding: 1 }), new d.ReLU(), new d.MaxPool2d(2), new d.Flatten(), new d.Linear(784, 10));
  } else if (net === 'separable') {
    const block = (cin: number, cout: number) => [new d.Conv2d(cin, cin, 3, { padding: 1, groups: cin }), new d.Conv2d(cin, cout, 1), new d.ReLU()];
    layers.push(new d.Conv2d(1, 16, 3, { padding: 1 }), new d.ReLU(), ...block(16, 32), new d.MaxPool2d(2),
      ...block(32, 64), new d.MaxPool2d(2), new d.Flatten(), new d.Linear(64 * 49, 10));
  } else {
    layers.push(...mlpLayers(d, net));
  }
  const model = new d.Sequential(layers);
  const opt = new d.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new d.CrossEntropyLoss();
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 8) / 16777216;
  const shape = image ? [batch, 1, 28, 28] : [batch, 784];
  const xs: Descent.Tensor[] = [], ys: Descent.Tensor[] = [];
  for (let i = 0; i < 8; i++) {
    xs.push(d.tensor(Float32Array.from({ length: batch * 784 }, next), shape));
    ys.push(d.tensor(Array.from({ length: batch }, () => Math.floor(next() * 10))));
  }
  let it = 0;
  const step = () => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(xs[it % 8]), ys[it % 8]);
    loss.backward();
    opt.step();
    loss.item();
    it++;
  };
  return { step, input: xs[0] };
}

/** The layers of an MLP given by its sizes ('784-16-16-10'): Linear layers with ReLU between. */
export function mlpLayers(d: typeof Descent, net: string): Descent.Module[] {
  const sizes = net.split('-').map(Number);
  const layers: Descent.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new d.Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.length) layers.push(new d.ReLU());
  }
  return layers;
}

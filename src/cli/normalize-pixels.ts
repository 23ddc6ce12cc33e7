import { Tensor } from '../core/tensor.js';

/**
 * `--scaler normalize`: (x − mean)/std with one mean and one standard deviation over every pixel
 * of the training digits, as torchvision's `Normalize((0.1307,), (0.3081,))` for MNIST (those are
 * the full training set's; ours are the split's own, 0.1309 and 0.3083). Statistics and the map
 * in float64, rounded once. The statistics come back too: a model trained on the mapped pixels
 * expects its inputs mapped the same way (history.json records them).
 */
export function normalizePixels(train: Tensor, test: Tensor): { train: Tensor; test: Tensor; mean: number; std: number } {
  const values = train.toArray();
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  const std = Math.sqrt(squares / values.length) || 1;
  const map = (x: Tensor) => {
    const src = x.toArray();
    const out = new Tensor(x.shape);
    out.data.set(src.map((v) => (v - mean) / std));
    return out;
  };
  return { train: map(train), test: map(test), mean, std };
}

// The PyTorch reference vectors in ../shared/golden (see its README), imported as JSON so the
// same code works in Node and in the browser (Vite serves the files; vitest.config allows it).
import layersJson from '../../shared/golden/layers.json';
import lossesJson from '../../shared/golden/losses.json';
import trainingJson from '../../shared/golden/training.json';
import { expect } from 'vitest';
import { tensor, type Tensor } from '../src/index.js';

export interface GoldenTensor { shape: number[]; data: number[]; dtype?: string }

export const layerCases = layersJson.cases as unknown as {
  name: string; layer: string; options: Record<string, unknown>;
  inputs: Record<string, GoldenTensor>; expected: Record<string, GoldenTensor>;
}[];

export const lossCases = lossesJson.cases as unknown as {
  name: string; loss: string; options: Record<string, unknown> & { posWeight?: GoldenTensor };
  input: GoldenTensor; target: GoldenTensor; expected: { loss: number; gradInput: GoldenTensor };
}[];

export const trainingCases = trainingJson.cases as unknown as {
  name: string;
  model: { layers: ({ type: 'Linear'; inFeatures: number; outFeatures: number } | { type: string })[] };
  initialParams: (GoldenTensor & { name: string })[];
  data: { x: GoldenTensor; y: GoldenTensor };
  loss: { name: string; options?: Record<string, unknown> };
  optimizer: { name: string; options: Record<string, unknown> };
  scheduler: null | { name: string; options: Record<string, unknown>; stepEvery: string };
  batchSize: number; epochs: number; stepsPerEpoch: number; steps: number;
  expected: { losses: number[]; lrs: number[]; grads: number[][][]; params: number[][][] };
}[];

export function fromGolden(t: GoldenTensor): Tensor {
  return tensor(Float32Array.from(t.data), t.shape);
}

/** |actual − expected| ≤ atol + rtol·|expected| elementwise, with the failing index in the message. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const bound = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      expect.fail(`${what}[${i}] = ${actual[i]}, expected ${expected[i]} ± ${bound}`);
    }
  }
}

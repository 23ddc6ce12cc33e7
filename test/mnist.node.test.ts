import { describe, it, expect, beforeAll } from 'vitest';
import { init } from '../src/index.js';
import { datasets } from '../src/data/index.js';

describe('datasets.mnist (Node: read from the mnist package, no download)', () => {
  beforeAll(() => init());

  it('gives the fixed split: the first 80% of each digit train, 7,996 / 2,004', async () => {
    const d = await datasets.mnist();
    expect(d.xTrain.shape).toEqual([7996, 784]);
    expect(d.xTest.shape).toEqual([2004, 784]);
    const counts = new Array(10).fill(0);
    for (const v of d.yTrain.toArray()) counts[v]++;
    expect(counts).toEqual([800, 901, 792, 825, 784, 690, 811, 856, 755, 782]);
    // The fixed shuffle spreads the digits: the last 10% (a validation split) holds every class.
    const tail = d.yTrain.toArray().subarray(7196);
    expect(new Set(tail).size).toBe(10);
    const again = await datasets.mnist();
    expect(Array.from(again.yTrain.toArray())).toEqual(Array.from(d.yTrain.toArray()));
    for (const t of Object.values(again)) t.dispose();
    const x = d.xTrain.toArray();
    expect(Math.min(...x.subarray(0, 784 * 10))).toBe(0);
    expect(Math.max(...x.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
    for (const t of Object.values(d)) t.dispose();
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import {
  init, getBackend, tensor, zeros, ones, full, tidy, keep, Tensor, ShapeError, DisposedError, OptionError,
  BackendError,
} from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';

describe('tensors', () => {
  beforeAll(() => init());

  it('builds from flat values and a shape, or from nested arrays', () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.size).toBe(6);
    const b = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(b.shape).toEqual([2, 3]);
    expect(Array.from(b.toArray())).toEqual([1, 2, 3, 4, 5, 6]);
    const s = tensor(2.5);
    expect(s.shape).toEqual([]);
    expect(Array.from(s.toArray())).toEqual([2.5]);
    const typed = tensor(new Float32Array([0.1, 0.2]));
    expect(typed.shape).toEqual([2]);
    expect(typed.toArray()[0]).toBe(Math.fround(0.1));
    [a, b, s, typed].forEach((t) => t.dispose());
  });

  it('rejects values that do not fill the shape, ragged arrays and non-numbers', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\] \(4 elements\)/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged: values\[1\] should be an array of 2/);
    expect(() => tensor([1, 'x' as unknown as number])).toThrow(OptionError);
  });

  it('zeros, ones and full', () => {
    const z = zeros([3, 5]), o = ones([7]), h = full([2, 2], -1.5);
    expect(Array.from(z.toArray())).toEqual(new Array(15).fill(0));
    expect(Array.from(o.toArray())).toEqual(new Array(7).fill(1));
    expect(Array.from(h.toArray())).toEqual([-1.5, -1.5, -1.5, -1.5]);
    [z, o, h].forEach((t) => t.dispose());
  });

  it('toArray returns a copy that stays valid', () => {
    const t = tensor([1, 2, 3], [3]);
    const copy = t.toArray();
    t.data[0] = 42;
    expect(copy[0]).toBe(1);
    expect(t.toArray()[0]).toBe(42);
    t.dispose();
    expect(copy[2]).toBe(3);
  });

  it('use after dispose throws a typed error naming the shape; a second dispose is harmless', () => {
    const t = zeros([4, 2]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.data).toThrow(DisposedError);
    expect(() => t.toArray()).toThrow(/shape \[4, 2\] was used after dispose/);
    expect(() => t.dispose()).not.toThrow();
  });

  it('tidy disposes what it created except what it returns, and rethrows after cleaning up', () => {
    const heap = requireHeap();
    const blocks = heap.blockCount;
    let inner: Tensor | null = null;
    const kept = tidy(() => {
      inner = zeros([10]);
      const b = ones([10]);
      return { result: b, list: [full([2], 3)] };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(kept.result.isDisposed).toBe(false);
    expect(kept.list[0].isDisposed).toBe(false);
    expect(heap.blockCount).toBe(blocks + 2);
    kept.result.dispose();
    kept.list[0].dispose();
    expect(() => tidy(() => { zeros([5]); throw new Error('boom'); })).toThrow('boom');
    expect(heap.blockCount).toBe(blocks);
    // keep() lets a tensor outlive its scope; nested scopes hand results outwards.
    const outer = tidy(() => {
      const k = keep(zeros([3]));
      const fromInner = tidy(() => ones([3]));
      return { k, fromInner };
    });
    expect(outer.k.isDisposed).toBe(false);
    expect(outer.fromInner.isDisposed).toBe(false);
    outer.k.dispose();
    outer.fromInner.dispose();
    expect(heap.blockCount).toBe(blocks);
  });
});

describe('init and getBackend', () => {
  it('reports the backend and build, switches backend, and keeps tensors across the switch', async () => {
    const info = await init({ backend: 'wasm' });
    expect(info.backend).toBe('wasm');
    expect(info.build).toBe(info.simdSupported ? 'simd' : 'scalar');
    const t = tensor([1, 2, 3], [3]);
    expect(await init({ backend: 'js' })).toMatchObject({ backend: 'js', build: null });
    expect(getBackend().backend).toBe('js');
    expect(Array.from(t.toArray())).toEqual([1, 2, 3]);
    expect(await init({ backend: 'wasm', build: 'scalar' })).toMatchObject({ backend: 'wasm', build: 'scalar' });
    t.dispose();
  });

  it('rejects unknown backends and builds, and a wasm file that is not there', async () => {
    await expect(init({ backend: 'gpu' as never })).rejects.toThrow(/backend must be 'wasm' or 'js', got "gpu"/);
    await expect(init({ build: 'fast' as never })).rejects.toThrow(OptionError);
    await expect(init({ backend: 'wasm', wasm: new Uint8Array([0, 97, 115, 109, 9, 9]) })).rejects.toThrow(BackendError);
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, Sequential, Linear, ReLU } from '../src/index.js';
import { save, load, CheckpointError } from '../src/io/index.js';

describe('checkpoint files (Node)', () => {
  beforeAll(() => init());

  it('saves atomically (no temporary file left) and loads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-ckpt-'));
    const path = join(dir, 'model.safetensors');
    const a = new Sequential([new Linear(3, 4), new ReLU(), new Linear(4, 2)], { seed: 5 });
    const b = new Sequential([new Linear(3, 4), new ReLU(), new Linear(4, 2)], { seed: 6 });
    await save(path, { model: a, epoch: 2 });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    const content = await load(path, { model: b });
    expect(content.epoch).toBe(2);
    expect(Array.from(b.parameterBlock.toArray())).toEqual(Array.from(a.parameterBlock.toArray()));
    // A truncated file on disk is rejected and the model keeps its weights.
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    const c = new Sequential([new Linear(3, 4), new ReLU(), new Linear(4, 2)], { seed: 7 });
    const before = c.parameterBlock.toArray();
    await expect(load(path, { model: c })).rejects.toThrow(CheckpointError);
    expect(Array.from(c.parameterBlock.toArray())).toEqual(Array.from(before));
    await expect(load(join(dir, 'missing.safetensors'), { model: c })).rejects.toThrow(/cannot read checkpoint/);
    [a, b, c].forEach((m) => m.dispose());
  });
});

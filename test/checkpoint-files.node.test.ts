import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

  it('save and load explain a bad path with a CheckpointError naming the function, the path and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-ckpt-paths-'));
    const model = new Sequential([new Linear(3, 2)], { seed: 1 });
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    mkdirSync(join(dir, 'folder'));
    const cases: [string, RegExp][] = [
      [join(dir, 'missing', 'm.safetensors'), /^save: cannot write .*m\.safetensors: the folder .*missing does not exist$/],
      [join(dir, 'folder'), /^save: cannot write .*folder: it is a folder, expected a file path$/],
      [join(file, 'm.safetensors'), /^save: cannot write .*: a part of .*a-file is a file, not a folder$/],
      ['/dev/null', /^save: cannot write \/dev\/null: it exists and is not a regular file$/],
    ];
    for (const [path, message] of cases) {
      const error = await save(path, { model }).catch((e) => e);
      expect(error, path).toBeInstanceOf(CheckpointError);
      expect(error.message, path).toMatch(message);
    }
    await expect(save('', { model })).rejects.toThrow(/save: path must be a non-empty string/);
    await expect(load(join(dir, 'folder'), { model })).rejects.toThrow(/^load: cannot read checkpoint .*folder: it is a folder, expected a file path$/);
    await expect(load(join(dir, 'nothing.safetensors'), { model })).rejects.toThrow(/^load: cannot read checkpoint .*nothing\.safetensors: no such file$/);
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'folder']);
    model.dispose();
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, Sequential, Linear, ReLU, Adam, MSELoss, tensor, type Tensor } from '../src/index.js';
import { save, load, decodeSafetensors } from '../src/io/index.js';

// A 10 M-parameter Adam checkpoint saves and loads (the first format wrote the moments as decimal
// JSON in the header: 44 bytes a parameter, over the reader's 100 MiB header limit from 2.4 M
// parameters on). Resumed from the file, the next step gives the same bits as the original's.

const WIDTH = 2236; // two 2236 × 2236 layers: 10.0 M parameters

function setup(seed: number) {
  const model = new Sequential([new Linear(WIDTH, WIDTH), new ReLU(), new Linear(WIDTH, WIDTH)], { seed });
  return { model, optimizer: new Adam(model.parameters(), { lr: 1e-3 }) };
}

function step(s: ReturnType<typeof setup>, x: Tensor, y: Tensor): void {
  s.optimizer.zeroGrad();
  new MSELoss().forward(s.model.forward(x), y).backward();
  s.optimizer.step();
}

/** How many weights of the two models differ in any bit (a loop: toEqual on 10 M entries takes seconds). */
function differingBits(a: Sequential, b: Sequential): number {
  const bitsA = new Uint32Array(a.parameterBlock.toArray().buffer), bitsB = new Uint32Array(b.parameterBlock.toArray().buffer);
  let differing = bitsA.length === bitsB.length ? 0 : Infinity;
  for (let i = 0; i < bitsA.length; i++) if (bitsA[i] !== bitsB[i]) differing++;
  return differing;
}

describe('a 10 M-parameter Adam checkpoint', () => {
  beforeAll(() => init());

  it('saves, loads and resumes bit for bit; 12 bytes a parameter, a small header', async () => {
    const x = tensor(Float32Array.from({ length: 4 * WIDTH }, (_, i) => Math.sin(i)), [4, WIDTH]);
    const y = tensor(Float32Array.from({ length: 4 * WIDTH }, (_, i) => Math.cos(i)), [4, WIDTH]);
    const a = setup(1), b = setup(2);
    const parameters = a.model.parameters().reduce((n, p) => n + p.size, 0);
    expect(parameters).toBeGreaterThanOrEqual(10_000_000);
    step(a, x, y);
    step(a, x, y);

    const dir = mkdtempSync(join(tmpdir(), 'descent-large-'));
    const path = join(dir, 'big.safetensors');
    let t = performance.now();
    await save(path, { model: a.model, optimizer: a.optimizer, epoch: 1 });
    const saveSeconds = (performance.now() - t) / 1000;
    const size = statSync(path).size;
    const headerBytes = Number(readFileSync(path).readBigUInt64LE(0));
    expect(size).toBeGreaterThanOrEqual(parameters * 12);
    expect(size).toBeLessThan(parameters * 12 + 64 * 1024);
    expect(headerBytes).toBeLessThan(16 * 1024);

    t = performance.now();
    await load(path, b);
    const loadSeconds = (performance.now() - t) / 1000;
    process.stderr.write(`10 M-parameter Adam checkpoint: ${(size / 1e6).toFixed(1)} MB, header ${headerBytes} B, save ${saveSeconds.toFixed(2)} s, load ${loadSeconds.toFixed(2)} s\n`);
    expect(differingBits(a.model, b.model)).toBe(0);
    // The moments came back exactly if the next Adam step lands on the same bits.
    step(a, x, y);
    step(b, x, y);
    expect(differingBits(a.model, b.model)).toBe(0);
    // PyTorch's view: the model's keys, then the optimizer's under optimizer/, all F32.
    const names = Object.keys(decodeSafetensors(new Uint8Array(readFileSync(path))).tensors);
    expect(names.filter((n) => !n.startsWith('optimizer/'))).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(names.filter((n) => n.startsWith('optimizer/'))).toHaveLength(8);
    rmSync(dir, { recursive: true, force: true });
    for (const s of [a, b]) { s.optimizer.dispose(); s.model.dispose(); }
    x.dispose(); y.dispose();
  }, 60_000);
});

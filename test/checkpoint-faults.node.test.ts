import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, Sequential, Linear, ReLU, Adam, SGD, StepLR, CrossEntropyLoss, tensor, globalRandom } from '../src/index.js';
import { serialize, deserialize, restore, save, load, CheckpointError } from '../src/io/index.js';

// Faults injected into checkpoints: every truncation, single-bit flips across the header (names,
// dtypes, shapes, offsets, the JSON state, the checksum) and a sample of the data, a checkpoint
// that does not fit, and SIGKILLs of a process while it saves. Each damaged file must be refused
// with a CheckpointError before anything changes. The counts go to
// test-results/what-we-test/checkpoint.json, which the README quotes.

const counts = { truncations: 0, bitFlips: 0, bitFlipsInHeader: 0, misfits: 0, kills: 0, killsDuringWrite: 0, debrisRemoved: 0 };

async function trainedSetup(seed: number) {
  const model = new Sequential([new Linear(5, 6), new ReLU(), new Linear(6, 3)], { seed });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const x = tensor(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i + seed)), [8, 5]);
  const y = tensor(Float32Array.from({ length: 8 }, (_, i) => i % 3));
  await model.fit(x, y, { loss: new CrossEntropyLoss(), optimizer, scheduler, epochs: 2, batchSize: 4, seed, verbose: 0 });
  x.dispose(); y.dispose();
  return { model, optimizer, scheduler };
}

/** Everything a restore could change, as one string: weights' bits, optimizer, scheduler, RNG. */
function snapshot(t: Awaited<ReturnType<typeof trainedSetup>>): string {
  return JSON.stringify([
    Array.from(new Uint32Array(t.model.parameterBlock.toArray().buffer)),
    t.optimizer.stateDict(), t.scheduler.stateDict(), globalRandom.getState(),
  ]);
}

/** The header's byte length, from the file's first 8 bytes. */
const headerEnd = (bytes: Uint8Array) => 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));

describe('checkpoint faults', () => {
  let source: Awaited<ReturnType<typeof trainedSetup>>;
  let target: Awaited<ReturnType<typeof trainedSetup>>;
  let bytes: Uint8Array;
  beforeAll(async () => {
    await init();
    source = await trainedSetup(1);
    target = await trainedSetup(2);
    bytes = serialize({ model: source.model, optimizer: source.optimizer, scheduler: source.scheduler, epoch: 2, extra: { note: 'é' } });
  });
  afterAll(() => {
    source.model.dispose(); target.model.dispose();
    mkdirSync('test-results/what-we-test', { recursive: true });
    writeFileSync('test-results/what-we-test/checkpoint.json', JSON.stringify(counts, null, 2) + '\n');
  });

  /** The damaged bytes must be refused with a CheckpointError and leave the target as it was. */
  function expectRefused(damaged: Uint8Array, what: string): void {
    const before = snapshot(target);
    let error: unknown = null;
    try {
      restore(deserialize(damaged), target);
    } catch (e) {
      error = e;
    }
    expect(error, what).toBeInstanceOf(CheckpointError);
    expect(snapshot(target), what).toBe(before);
  }

  it('the intact file loads: a fresh setup gets the source\'s weights, moments and schedule', () => {
    const fresh = snapshot(target);
    restore(deserialize(bytes), target);
    expect(snapshot(target)).not.toBe(fresh);
    expect(JSON.parse(snapshot(target)).slice(0, 3)).toEqual(JSON.parse(snapshot(source)).slice(0, 3));
  });

  it('refuses the file cut at every length, changing nothing', () => {
    for (let n = 0; n < bytes.length; n++) {
      expectRefused(bytes.slice(0, n), `cut at ${n} of ${bytes.length}`);
      counts.truncations++;
    }
    expect(counts.truncations).toBe(bytes.length);
  });

  it('refuses every single-bit flip in the header and a sample in the data, changing nothing', () => {
    const end = headerEnd(bytes);
    const header = new TextDecoder().decode(bytes.subarray(8, end));
    // The header holds what the checksum must now cover: tensor names, shapes and the optimizer's.
    expect(header).toContain('"optimizer/state/0/expAvg"');
    expect(header).toContain('"shape":[6,5]');
    for (let bit = 0; bit < end * 8; bit++) {
      const damaged = bytes.slice();
      damaged[bit >> 3] ^= 1 << (bit & 7);
      expectRefused(damaged, `bit ${bit & 7} of byte ${bit >> 3} (header)`);
      counts.bitFlips++;
      counts.bitFlipsInHeader++;
    }
    let seed = 12345;
    for (let i = 0; i < 400; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const byte = end + (seed % (bytes.length - end));
      const damaged = bytes.slice();
      damaged[byte] ^= 1 << (seed >>> 29);
      expectRefused(damaged, `byte ${byte} (data)`);
      counts.bitFlips++;
    }
  });

  it('refuses a checkpoint that does not fit the model or the optimizer, changing nothing', async () => {
    const other = new Sequential([new Linear(5, 4), new ReLU(), new Linear(4, 3)], { seed: 3 });
    const sgd = new SGD(source.model.parameters(), { lr: 0.1, momentum: 0.9 });
    const { model, optimizer } = target;
    const misfits: [string, Uint8Array, Parameters<typeof restore>[1], RegExp][] = [
      ['another architecture', serialize({ model: other }), { model }, /missing keys 2.weight|has shape/],
      ['SGD state into Adam', serialize({ model: source.model, optimizer: sgd }), { model, optimizer }, /holds the state of SGD, but the optimizer given is Adam/],
      ['no optimizer state', serialize({ model: source.model }), { model, optimizer }, /holds no optimizer state/],
    ];
    for (const [what, file, parts, message] of misfits) {
      const before = snapshot(target);
      expect(() => restore(deserialize(file), parts), what).toThrow(message);
      expect(() => restore(deserialize(file), parts), what).toThrow(CheckpointError);
      expect(snapshot(target), what).toBe(before);
      counts.misfits++;
    }
    other.dispose(); sgd.dispose();
  });

  it('refuses the first format with a way to its weights', () => {
    const meta = '{"__metadata__":{"descent.format":"descent-checkpoint/1"}}';
    const old = new Uint8Array(8 + meta.length);
    new DataView(old.buffer).setBigUint64(0, BigInt(meta.length), true);
    old.set(new TextEncoder().encode(meta), 8);
    expect(() => deserialize(old)).toThrow(/first format .*decodeSafetensors\(bytes\)\.tensors/);
  });

  it('SIGKILL while saving leaves the old or the new complete checkpoint; the next save removes the debris', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-kill-'));
    const path = join(dir, 'checkpoint.safetensors');
    const started = performance.now();
    const fresh = new Sequential([new Linear(1000, 1000), new Linear(1000, 1000)], { seed: 9 });
    const adam = new Adam(fresh.parameters(), { lr: 0.01 });
    let rng = 7;
    // Bounded in time: as many kills as fit in ~20 s (each child needs ~1 s to start), at least 5.
    while (counts.kills < 40 && (counts.kills < 5 || performance.now() - started < 20_000)) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/checkpoint-saver.ts', path], { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] });
      let saved = 0;
      const firstSave = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          const m = /saved (\d+)\n$/.exec(chunk.toString());
          if (m) { saved = Number(m[1]); resolve(); }
        });
        child.on('exit', (code) => reject(new Error(`the saver exited with ${code} before saving`)));
      });
      await firstSave;
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      await new Promise((r) => setTimeout(r, rng % 400));
      const exited = new Promise((r) => child.on('exit', r));
      const inFlight = readdirSync(dir).some((f) => f.includes('.tmp-'));
      child.kill('SIGKILL');
      await exited;
      counts.kills++;
      const debris = readdirSync(dir).filter((f) => f.includes('.tmp-'));
      if (inFlight || debris.length > 0) counts.killsDuringWrite++;
      // On disk: the last checkpoint the child reported, or the one it was writing — complete.
      const content = await load(path, { model: fresh, optimizer: adam });
      const version = content.extra.version as number;
      expect([saved, saved + 1]).toContain(version);
      const weights = fresh.parameterBlock.toArray();
      expect(weights.every((w) => w === version), `every weight of version ${version}`).toBe(true);
      // load() already removed the dead child's temporary file; so does save().
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      counts.debrisRemoved += debris.length;
    }
    // Debris of a dead writer is removed by a save too; a live writer's file is left alone.
    writeFileSync(join(dir, 'checkpoint.safetensors.tmp-999999999-abcdefg'), 'debris');
    const live = `checkpoint.safetensors.tmp-${process.ppid}-abcdefg`;
    writeFileSync(join(dir, live), 'a live process');
    await save(path, { model: fresh });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', live]);
    expect(readFileSync(join(dir, live), 'utf8')).toBe('a live process');
    expect(counts.kills).toBeGreaterThanOrEqual(5);
    fresh.dispose(); adam.dispose();
  }, 90_000);
});

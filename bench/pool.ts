// Before/after for a change to LeNet's pool kernels (maxPool2x2Forward/Backward at batch 32: 8
// planes of 28×28 and 16 of 14×14 per sample), two or more wasm builds in one process, alternating
// build by build on the same data, as bench/optim-ab.ts does. Keep the old build before rebuilding:
//
//   cp build/descent-simd.wasm /tmp/before.wasm && npx asc assembly/index.ts --target simd
//   flock /tmp/descent-cpu.lock npx tsx bench/pool.ts before=/tmp/before.wasm after=build/descent-simd.wasm
//
// Prints µs per call and the last build over the first. Then checks that every build gives the
// first one's bits (y, idx and dx) on inputs with ties, ±0, ±∞ and NaNs of assorted payloads — a
// quick look on the spot; the tests hold the kernels to the general ones and the js twins.

import { readFileSync } from 'node:fs';
import { median } from './harness.js';

type Kernel = (...args: number[]) => number | void;
interface Build { name: string; k: Record<string, Kernel>; memory: WebAssembly.Memory; base: number }
interface Shape { planes: number; oh: number; ow: number }

const BATCH = Number(process.env.BATCH ?? 32);
const SHAPES: Shape[] = [{ planes: BATCH * 8, oh: 14, ow: 14 }, { planes: BATCH * 16, oh: 7, ow: 7 }];
const ROUNDS = Number(process.env.ROUNDS ?? 15), REPS = 20;
const MAX_FLOATS = Math.max(...SHAPES.map((s) => 4 * s.planes * s.oh * s.ow));
/** Float offsets of the buffers in each build's memory: x, y, idx, dy, dx. */
const X = 0, Y = MAX_FLOATS, IDX = Y + MAX_FLOATS / 4, DY = IDX + MAX_FLOATS / 4, DX = DY + MAX_FLOATS / 4;

async function load(name: string, path: string): Promise<Build> {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((DX + MAX_FLOATS) * 4 / 65536) + 2 });
  const { instance } = await WebAssembly.instantiate(readFileSync(path), { env: { memory } });
  const k = instance.exports as unknown as Record<string, Kernel>;
  return { name, k, memory, base: ((k.heapBase() as number) + 63) & ~63 };
}

/** A deterministic stream in [0, 1). */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** x and dy as float bits: `special` mixes in ties, ±0, ±∞ and NaNs (quiet, signalling, negative). */
function fill(b: Build, special: boolean, seed: number): void {
  const bits = new Uint32Array(b.memory.buffer, b.base);
  const f = new Float32Array(b.memory.buffer, b.base);
  const next = stream(seed);
  const odd = [0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa5a5a5, 0x80000000, 0x00000000, 0x7f800000, 0xff800000];
  for (const start of [X, DY]) {
    for (let i = 0; i < MAX_FLOATS / (start === X ? 1 : 4); i++) {
      const r = next();
      if (!special) f[start + i] = r * 2 - 1;
      else if (r < 0.02) bits[start + i] = odd[Math.floor(next() * odd.length)];
      else f[start + i] = Math.round(r * 6) - 3;
    }
  }
}

function forward(b: Build, s: Shape): void {
  b.k.maxPool2x2Forward(b.base + 4 * X, s.planes, s.oh, s.ow, b.base + 4 * Y, b.base + 4 * IDX, 4 * s.oh * s.ow, s.oh * s.ow);
}

function backward(b: Build, s: Shape): void {
  b.k.maxPool2x2Backward(b.base + 4 * DY, b.base + 4 * IDX, s.planes, s.oh, s.ow, b.base + 4 * DX, 4 * s.oh * s.ow, s.oh * s.ow);
}

/** y, idx and dx of one shape, as bits. */
function outputs(b: Build, s: Shape): Uint32Array[] {
  const m = s.planes * s.oh * s.ow;
  forward(b, s);
  backward(b, s);
  return [[Y, m], [IDX, m], [DX, 4 * m]].map(([at, n]) => new Uint32Array(b.memory.buffer, b.base + 4 * at, n).slice());
}

const specs = process.argv.slice(2).map((arg) => arg.split('='));
if (specs.length < 2 || specs.some((s) => s.length !== 2)) {
  console.error('usage: npx tsx bench/pool.ts before=<build.wasm> after=<build.wasm> [more=<build.wasm> …]');
  process.exit(2);
}
const builds = await Promise.all(specs.map(([name, path]) => load(name, path)));
console.log(`µs per call, median of ${ROUNDS} rounds of ${REPS} calls, builds alternating (batch ${BATCH})`);
console.log(['kernel'.padEnd(30), ...builds.map((b) => b.name.padStart(10)), 'last/first'.padStart(11)].join(' '));
for (const b of builds) fill(b, false, 7);
const totals = builds.map(() => 0);
for (const s of SHAPES) {
  for (const [label, call] of [['maxPool2x2Forward', forward], ['maxPool2x2Backward', backward]] as const) {
    const times = builds.map(() => [] as number[]);
    // Long enough for V8 to tier each kernel up from its baseline compiler at any batch.
    for (const b of builds) for (const t0 = performance.now(); performance.now() - t0 < 200;) call(b, s);
    for (let r = 0; r < ROUNDS; r++) {
      const order = builds.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) {
        const t0 = performance.now();
        for (let rep = 0; rep < REPS; rep++) call(builds[i], s);
        times[i].push(((performance.now() - t0) * 1e3) / REPS);
      }
    }
    const m = times.map(median);
    m.forEach((t, i) => (totals[i] += t));
    const name = `${label} ${s.planes}×${s.oh}×${s.ow}`;
    console.log([name.padEnd(30), ...m.map((v) => v.toFixed(1).padStart(10)), (m[m.length - 1] / m[0]).toFixed(3).padStart(11)].join(' '));
  }
}
console.log(['the four calls'.padEnd(30), ...totals.map((v) => v.toFixed(1).padStart(10)), (totals[totals.length - 1] / totals[0]).toFixed(3).padStart(11)].join(' '));

const SPECIAL_SHAPES: Shape[] = [...SHAPES, ...[4, 5, 6, 8, 9, 13].map((ow) => ({ planes: 5, oh: 3, ow }))];
let same = true;
for (const [special, seed] of [[false, 11], [true, 12], [true, 13]] as const) {
  for (const b of builds) fill(b, special, seed);
  for (const s of SPECIAL_SHAPES) {
    const [ref, ...rest] = builds.map((b) => outputs(b, s));
    rest.forEach((out, j) => out.forEach((bits, o) => {
      const at = bits.findIndex((v, i) => v !== ref[o][i]);
      if (at < 0) return;
      same = false;
      console.log(`${builds[j + 1].name} differs from ${builds[0].name}: ${['y', 'idx', 'dx'][o]}[${at}] of ${s.planes}×${s.oh}×${s.ow} (${special ? 'special' : 'plain'} data)`);
    }));
  }
}
console.log(same ? 'bits: every build gives the first one\'s y, idx and dx' : 'bits: DIFFERENT');

// What two threads can give on this machine at best: the simd build's gemm (n×n×n, in L2) run in
// one worker, then in two workers at once, each on its own memory, with no split, no sharing and no
// synchronisation. The sum of the two rates over the one rate is the ceiling of any 2-thread
// speed-up of compute-bound kernels here (docs/threads.md quotes it). Run under the CPU lock:
//   flock /tmp/descent-cpu.lock npx tsx bench/two-core-ceiling.ts [n] [reps]
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const n = Number(process.argv[2] ?? 256), reps = Number(process.argv[3] ?? 200);
const wasm = fileURLToPath(new URL('../build/descent-simd.wasm', import.meta.url));
// A plain-JS worker (eval'd: no TypeScript loader needed): instantiates the kernels, warms up, then
// times `reps` gemms when told to and posts the milliseconds.
const WORKER = `
const { parentPort, workerData: { wasm, n, reps } } = require('node:worker_threads');
const memory = new WebAssembly.Memory({ initial: 512 });
const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(require('node:fs').readFileSync(wasm)), { env: { memory } }).exports;
const A = 1 << 20, B = A + n * n * 4, C = B + n * n * 4, W = C + n * n * 4;
new Float32Array(memory.buffer, A, 2 * n * n).forEach((_, i, f) => { f[i] = Math.sin(i); });
const run = (count) => { for (let i = 0; i < count; i++) gemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n, W); };
run(20);
parentPort.postMessage('ready');
parentPort.once('message', () => { const t0 = performance.now(); run(reps); parentPort.postMessage(performance.now() - t0); });
`;

async function together(count: number): Promise<number[]> {
  const workers = await Promise.all(Array.from({ length: count }, () => new Promise<Worker>((resolve) => {
    const w = new Worker(WORKER, { eval: true, workerData: { wasm, n, reps } });
    w.once('message', () => resolve(w));
  })));
  const ms = await Promise.all(workers.map((w) => new Promise<number>((resolve) => {
    w.once('message', (m: number) => resolve(m));
    w.postMessage('go');
  })));
  await Promise.all(workers.map((w) => w.terminate()));
  return ms.map((t) => (2 * n ** 3 * reps) / t / 1e6);
}

const ratios: number[] = [];
for (let round = 0; round < 5; round++) {
  const [alone] = await together(1);
  const both = await together(2);
  const sum = both[0] + both[1];
  ratios.push(sum / alone);
  console.log(`gemm ${n}³: one thread ${alone.toFixed(1)} GFLOP/s; two at once ${both.map((g) => g.toFixed(1)).join(' + ')} = ${sum.toFixed(1)} (${(sum / alone).toFixed(2)}×)`);
}
console.log(`median ceiling: ${ratios.sort((a, b) => a - b)[2].toFixed(2)}×`);

// A hang detector for the fuzz runner, Node only. A synchronous infinite loop blocks the thread
// that runs it, timers included, so only another thread can notice it: this one watches a
// counter the runner bumps on entering and leaving each call, and if a call stays entered for
// `hangMs` it prints the call, writes it to test-results/what-we-test/fuzz-hang.json and kills
// the test process — the run fails loudly, naming the call, instead of hanging CI.

const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const state = new Int32Array(workerData.sab, 0, 4); // [calls entered + left, stop, label length]
const label = new Uint8Array(workerData.sab, 16);
let seen = Atomics.load(state, 0);
while (Atomics.load(state, 1) === 0) {
  const result = Atomics.wait(state, 0, seen, workerData.hangMs);
  const now = Atomics.load(state, 0);
  if (result === 'timed-out' && now === seen && (now & 1) === 1 && Atomics.load(state, 1) === 0) {
    const call = new TextDecoder().decode(label.slice(0, Atomics.load(state, 2)));
    const message = 'fuzz: a call ran for over ' + workerData.hangMs + ' ms (a hang): ' + call;
    process.stderr.write(message + '\\n');
    try {
      fs.mkdirSync('test-results/what-we-test', { recursive: true });
      fs.writeFileSync('test-results/what-we-test/fuzz-hang.json', JSON.stringify({ hang: call, limitMs: workerData.hangMs }, null, 2) + '\\n');
    } catch {}
    process.kill(process.pid, 'SIGKILL');
  }
  seen = now;
}
`;

export interface Watchdog {
  enter(label: string): void;
  leave(): void;
  stop(): Promise<void>;
}

const NONE: Watchdog = { enter() {}, leave() {}, stop: async () => {} };

export async function startWatchdog(hangMs: number): Promise<Watchdog> {
  if (typeof process === 'undefined' || !process.versions?.node || typeof window !== 'undefined') return NONE;
  const { Worker } = await import(/* @vite-ignore */ 'node:worker_threads');
  const sab = new SharedArrayBuffer(16 + 4096);
  const state = new Int32Array(sab, 0, 4);
  const label = new Uint8Array(sab, 16);
  const worker = new Worker(WORKER, { eval: true, workerData: { sab, hangMs } });
  worker.unref();
  const encoder = new TextEncoder();
  const bump = () => {
    Atomics.add(state, 0, 1);
    Atomics.notify(state, 0);
  };
  return {
    enter(text) {
      const { written } = encoder.encodeInto(text.slice(0, 1000), label);
      Atomics.store(state, 2, written);
      bump();
    },
    leave: bump,
    async stop() {
      Atomics.store(state, 1, 1);
      bump();
      await worker.terminate();
    },
  };
}

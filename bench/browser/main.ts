// The page: starts its workers and hands what they measure to Playwright (bench/train-browser.ts).
// `benchRounds` forwards Descent's rounds to a worker of their own (the demo trains in a worker
// too), which train-browser.ts takes in turn with Node's; `runTrainBench` measures TensorFlow.js-wasm
// in another worker, then Descent once more on the page's own main thread, which cannot
// `Atomics.wait`: there the caller of a split call polls for its workers' chunks instead of
// blocking, the case where 2 threads once ran at 0.24× of one (issue #12).
import { init } from '../../src/index.js';
import { descentConfigs, perRow } from '../train-step.js';
import type { RoundsReply, RoundsRequest } from '../rounds-protocol.js';
import type { BrowserRequest, FromWorker, PageResult, ServeRequest } from './protocol.js';

declare global {
  interface Window {
    runTrainBench: (request: BrowserRequest) => Promise<PageResult>;
    benchRounds: (request: ServeRequest | RoundsRequest) => Promise<RoundsReply>;
    closeBenchRounds: () => void;
  }
}

const startWorker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

function inWorker(request: BrowserRequest): Promise<PageResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker();
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'progress') console.log(message.text);
      else {
        worker.terminate();
        if (message.type === 'measured') resolve(message.result);
        else reject(new Error(message.type === 'failed' ? message.message : `unexpected '${message.type}' from the worker`));
      }
    };
    worker.postMessage(request);
  });
}

window.runTrainBench = async (request) => {
  const result = await inWorker(request);
  await init({ threads: 2 }); // the page's first init: its heap is shared
  const main = await perRow('descent, page main thread ×1 / ×2', request.timing, descentConfigs([{ threads: 1 }, { threads: 2 }]), (text) => console.log(text));
  result.rows.forEach((row, i) => {
    row.main1 = main[i][0];
    row.main2 = main[i][1];
  });
  return result;
};

// One request at a time (Playwright awaits each reply before the next request).
let roundsWorker: Worker | null = null;
window.benchRounds = (request) => new Promise((resolve, reject) => {
  roundsWorker ??= startWorker();
  roundsWorker.onerror = (event) => reject(new Error(`rounds worker: ${event.message}`));
  roundsWorker.onmessage = (event: MessageEvent<RoundsReply>) => resolve(event.data);
  roundsWorker.postMessage(request);
});
window.closeBenchRounds = () => {
  roundsWorker?.terminate();
  roundsWorker = null;
};
document.getElementById('status')!.dataset.state = 'ready';

// The page: starts the worker and hands its result to whoever calls `runTrainBench` (Playwright,
// from bench/train-browser.ts). The rows are measured in a Web Worker, as the demo trains; then
// Descent once more on the page's own main thread, which cannot `Atomics.wait`: there the caller
// of a split call polls for its workers' chunks instead of blocking, the case where 2 threads once
// ran at 0.24× of one (issue #12).
import { init } from '../../src/index.js';
import { descentConfigs, perRow } from '../train-step.js';
import type { BrowserRequest, BrowserResult, FromWorker } from './protocol.js';

declare global {
  interface Window { runTrainBench: (request: BrowserRequest) => Promise<BrowserResult> }
}

function inWorker(request: BrowserRequest): Promise<BrowserResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'progress') console.log(message.text);
      else {
        worker.terminate();
        if (message.type === 'done') resolve(message.result);
        else reject(new Error(message.message));
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
document.getElementById('status')!.dataset.state = 'ready';

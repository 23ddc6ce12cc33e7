// The page: starts the worker and hands its result to whoever calls `runTrainBench` (Playwright,
// from bench/train-browser.ts). Measuring in a Web Worker, as the demo trains: a page's main thread
// cannot `Atomics.wait`, so a threaded runtime there would spin instead of parking.
import type { BrowserRequest, BrowserResult, FromWorker } from './protocol.js';

declare global {
  interface Window { runTrainBench: (request: BrowserRequest) => Promise<BrowserResult> }
}

window.runTrainBench = (request) => new Promise((resolve, reject) => {
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
document.getElementById('status')!.dataset.state = 'ready';

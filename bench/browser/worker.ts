/// <reference types="vite/client" />
// A worker of the benchmark page, started for one of two jobs: TensorFlow.js-wasm on one thread on
// every row of bench/train-step.ts ('measure'), or Descent's rounds on 1 and 2 threads ('serve',
// then the requests of rounds-protocol.ts), which train-browser.ts takes in turn with Node's.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { init, getBackend } from '../../src/index.js';
import { ROWS, descentConfigs, perRow, tfConfigs, type TimingOptions } from '../train-step.js';
import { roundsServer, type RoundsReply } from '../rounds-protocol.js';
import type { FromWorker, PageRow, ToWorker } from './protocol.js';

const post = (message: FromWorker): void => self.postMessage(message);

async function measureTfjs(timing: TimingOptions): Promise<void> {
  await init({ threads: 2 }); // as the rounds worker: getBackend() describes the threads build
  const backend = getBackend();
  const log = (text: string) => post({ type: 'progress', text });
  // TF.js-wasm as bench/tfjs.ts sets it up in Node: the SIMD build, one thread.
  setWasmPaths({ 'tfjs-backend-wasm-simd.wasm': simdWasm, 'tfjs-backend-wasm.wasm': plainWasm, 'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js backend wasm did not load');
  const tfjs = await perRow('tfjs-wasm minimize / trainOnBatch', timing, tfConfigs(tf, tfl), log);
  const rows: PageRow[] = ROWS.map((row, i) => ({ net: row.sizes.join('-'), batch: row.batch, tfjsMinimize: tfjs[i][0], tfjsLayers: tfjs[i][1] }));
  post({ type: 'measured', result: { userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated, backend, rows } });
}

let answer: ((request: Exclude<ToWorker, { type: 'measure' | 'serve' }>) => Promise<RoundsReply>) | null = null;

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const request = event.data;
  const failed = (error: unknown) => error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
  if (request.type === 'measure') {
    measureTfjs(request.timing).catch((error: unknown) => post({ type: 'failed', message: failed(error) }));
  } else if (request.type === 'serve') {
    // The first init makes the heap shared: Descent's threads build, switched with init({ threads }).
    init({ threads: 2 }).then(() => {
      answer = roundsServer((row) => ({ configs: descentConfigs([{ threads: 1 }, { threads: 2 }])(ROWS[row]), batch: ROWS[row].batch }), request.timing);
      post({ type: 'done' });
    }, (error: unknown) => post({ type: 'error', message: failed(error) }));
  } else if (answer === null) {
    post({ type: 'error', message: `'${request.type}' before 'serve'` });
  } else {
    void answer(request).then(post);
  }
};

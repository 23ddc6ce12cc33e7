/// <reference types="vite/client" />
// The worker: Descent on 1 and 2 threads (switched with `init({ threads })` between windows, as in
// Node), then TensorFlow.js-wasm on one thread, on every row of bench/train-step.ts.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { init, getBackend } from '../../src/index.js';
import { ROWS, descentConfigs, perRow, tfConfigs } from '../train-step.js';
import type { BrowserRequest, BrowserRow, FromWorker } from './protocol.js';

const post = (message: FromWorker): void => self.postMessage(message);

async function measure({ timing }: BrowserRequest): Promise<void> {
  await init({ threads: 2 }); // the first init makes the heap shared
  const backend = getBackend();
  const log = (text: string) => post({ type: 'progress', text });
  const descent = await perRow('descent ×1 / ×2', timing, descentConfigs([{ threads: 1 }, { threads: 2 }]), log);
  // TF.js-wasm as bench/tfjs.ts sets it up in Node: the SIMD build, one thread.
  setWasmPaths({ 'tfjs-backend-wasm-simd.wasm': simdWasm, 'tfjs-backend-wasm.wasm': plainWasm, 'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js backend wasm did not load');
  const tfjs = await perRow('tfjs-wasm minimize / trainOnBatch', timing, tfConfigs(tf, tfl), log);
  const rows: BrowserRow[] = ROWS.map((row, i) => ({
    net: row.sizes.join('-'), batch: row.batch, descent1: descent[i][0], descent2: descent[i][1], tfjsMinimize: tfjs[i][0], tfjsLayers: tfjs[i][1],
  }));
  post({ type: 'done', result: { userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated, backend, rows } });
}

self.onmessage = (event: MessageEvent<BrowserRequest>) => {
  measure(event.data).catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) }));
};

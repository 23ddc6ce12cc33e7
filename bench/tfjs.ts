// TensorFlow.js 4.22 as the outside reference: its wasm backend (XNNPACK, SIMD build) and its
// plain-JS cpu backend, both forced single-threaded like ours.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

export type TfBackend = 'wasm' | 'cpu';
export { tf };

let wasmConfigured = false;

export async function useTf(backend: TfBackend): Promise<void> {
  if (backend === 'wasm' && !wasmConfigured) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
    setWasmPaths(path.dirname(file) + '/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    wasmConfigured = true;
  }
  if (tf.getBackend() !== backend) {
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not load`);
  }
  await tf.ready();
}

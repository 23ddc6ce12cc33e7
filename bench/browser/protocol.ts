// Messages between the benchmark page and its worker.
import type { TimingOptions } from '../train-step.js';

export interface BrowserRequest { timing: TimingOptions }

export interface BrowserRow {
  net: string;
  batch: number;
  /** Samples/s, medians: Descent's threads build on 1 and 2 threads, TF.js-wasm (one thread) both ways. */
  descent1: number;
  descent2: number;
  tfjsMinimize: number;
  tfjsLayers: number;
  /** The same Descent rows on the page's main thread (no Atomics.wait there), 1 and 2 threads. */
  main1?: number;
  main2?: number;
}

export interface BrowserResult { userAgent: string; crossOriginIsolated: boolean; backend: unknown; rows: BrowserRow[] }

export type FromWorker = { type: 'progress'; text: string } | { type: 'done'; result: BrowserResult } | { type: 'error'; message: string };

// Messages between the benchmark page, its workers and bench/train-browser.ts.
import type { TimingOptions } from '../train-step.js';
import type { RoundsReply, RoundsRequest } from '../rounds-protocol.js';

export interface BrowserRequest { type: 'measure'; timing: TimingOptions }

/** What the page measures on its own: TF.js-wasm in a worker, Descent on the page's main thread. */
export interface PageRow {
  net: string;
  batch: number;
  /** Samples/s, medians: TF.js-wasm (one thread) both ways, in a Web Worker. */
  tfjsMinimize: number;
  tfjsLayers: number;
  /** Descent on the page's main thread (no Atomics.wait there), 1 and 2 threads. */
  main1?: number;
  main2?: number;
}

export interface BrowserRow extends PageRow {
  /**
   * Descent's threads build on 1 and 2 threads in a Web Worker, and Node's (bench/train-main.ts)
   * on the same row, their rounds taken in turn (rounds-protocol.ts): the "/ Node's" ratios
   * compare figures of the same minutes.
   */
  descent1: number;
  descent2: number;
  node1: number;
  node2: number;
}

export interface PageResult { userAgent: string; crossOriginIsolated: boolean; backend: unknown; rows: PageRow[] }
export interface BrowserResult extends Omit<PageResult, 'rows'> { rows: BrowserRow[] }

/** The rounds worker's first message: the timing its rounds use. */
export interface ServeRequest { type: 'serve'; timing: TimingOptions }
export type ToWorker = BrowserRequest | ServeRequest | RoundsRequest;

export type FromWorker = { type: 'progress'; text: string } | { type: 'measured'; result: PageResult } | { type: 'failed'; message: string } | RoundsReply;

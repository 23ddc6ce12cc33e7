import type { Heap } from '../../core/heap.js';
import { ALL_KERNEL_NAMES, type Backend, type Kernels } from '../backend.js';
import { OPTIM_TWINS } from '../optim-kernels.js';
import { HeapView } from './views.js';
import * as activations from './activations.js';
import * as elementwise from './elementwise.js';
import { gemm } from './gemm.js';
import * as losses from './losses.js';
import * as ops from './ops.js';
import * as norm from './norm.js';
import * as embedding from './embedding.js';
import * as conv from './conv.js';
import * as depthwise from './conv-depthwise.js';
import * as pool from './pool.js';
import * as pad from './pad.js';
import * as upsample from './upsample.js';
import * as recurrent from './recurrent.js';

/** A kernel's js twin: the kernel's arguments after the heap view it reads and writes. */
type Twins = { [K in keyof Kernels]: (h: HeapView, ...args: Parameters<Kernels[K]>) => ReturnType<Kernels[K]> };

// Every twin is the function of the kernel's name in these modules; the compiler checks that one
// exists for every kernel of the table, with its arguments. (The optimizer twins are declared with
// their kernels: optim-kernels.ts.)
const optimTwins = Object.fromEntries(Object.entries(OPTIM_TWINS).map(([name, k]) => [name, k.twin])) as {
  [K in keyof typeof OPTIM_TWINS]: (typeof OPTIM_TWINS)[K]['twin'];
};
const twins: Twins = {
  ...elementwise, ...activations, ...losses, ...ops, ...norm, ...embedding, ...conv, ...depthwise, ...pool, ...pad, ...upsample, ...recurrent, ...optimTwins,
  gemm, gemmWorkspaceBytes: () => 0,
};

/** The pure-TypeScript backend over the shared heap: the correctness reference and the baseline. */
export function createJsBackend(heap: Heap): Backend {
  const h = new HeapView(heap);
  const kernels = Object.fromEntries(ALL_KERNEL_NAMES.map((name) => [
    name, (twins[name] as (...args: unknown[]) => unknown).bind(null, h),
  ])) as unknown as Kernels;
  return { name: 'js', build: null, threads: 1, ...kernels };
}

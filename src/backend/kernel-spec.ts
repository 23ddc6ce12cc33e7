import type { HeapView } from './js/views.js';

// How a kernel is declared, once, in the kernel table (kernels-core.ts, kernels-model.ts,
// kernels-conv.ts, kernels-norm.ts; the optimizer kernels beside their js twins, see
// `withTwin` below and optim-kernels.ts): its arguments in order, with the role of each, and what it returns. From a
// declaration follow the kernel's TypeScript type (Backend), the check of a wasm build's exports
// (name and arity), the binding of its js twin (checked by the compiler), and how the threads
// backend splits it (parallel.ts).
//
// `args` is the argument names separated by spaces, in call order; a name may carry a role:
//   name:range   a byte offset that advances with the range of units a thread is given
//   name:count   the number of units (elements, or rows when the kernel has a width)
//   name:width   the elements in a unit (a row's length)
//   name:range/s a byte offset that advances by s floats per unit, s being another argument's value
//   name:item    a byte offset that advances by one float per unit (one result per row)
//   name:thread/b a byte offset of scratch: each thread gets its own region, b bytes apart
// Other arguments — sizes, flags, codes, scalars, pointers that stay put — are passed unchanged.
// A kernel with a `count` is split across threads into ranges of units: a unit's arithmetic must
// not depend on where the range starts (every elementwise and row-wise kernel here), so the bits
// never depend on the thread count. `split: 'gemm'` is gemm's own split (bands of C).

export interface KernelSpec {
  readonly args: string;
  readonly returns?: 'number';
  readonly split?: 'gemm';
}

/** The argument names of a spec string, as a tuple type (its length is the kernel's arity). */
type ArgList<S extends string> = S extends `${infer Head} ${infer Rest}` ? [Head, ...ArgList<Rest>] : [S];
type AsNumbers<T extends readonly unknown[]> = { [I in keyof T]: number };

/** The function type a spec declares: one number per argument. */
export type KernelFunction<S extends KernelSpec> =
  (...args: AsNumbers<ArgList<S['args']>>) => S extends { returns: 'number' } ? number : void;

/** The functions of a table of specs. */
export type KernelFunctions<T extends Record<string, KernelSpec>> = { [K in keyof T]: KernelFunction<T[K]> };

/** A kernel's js twin: the kernel's arguments after the heap view it reads and writes. */
export type Twin<S extends KernelSpec> = (h: HeapView, ...args: Parameters<KernelFunction<S>>) => ReturnType<KernelFunction<S>>;

/** A kernel declared together with its js twin, which the spec types. */
export interface TwinnedKernel<S extends KernelSpec = KernelSpec> {
  readonly spec: S;
  readonly twin: Twin<S>;
}

/**
 * Declares a kernel where its js twin is written (the optimizer kernels: src/backend/js/optim*.ts),
 * so the spec, the formula in its doc and the reference code are one record. The compiler checks
 * the twin against the spec; optim-kernels.ts collects the records into the kernel table.
 */
export function withTwin<const S extends KernelSpec>(spec: S, twin: Twin<S>): TwinnedKernel<S> {
  return { spec, twin };
}

/** The specs of a module of twinned kernels, by name. */
export type SpecsOf<T extends Record<string, { readonly spec: KernelSpec }>> = { [K in keyof T]: T[K]['spec'] };

export function specsOf<T extends Record<string, { readonly spec: KernelSpec }>>(kernels: T): SpecsOf<T> {
  return Object.fromEntries(Object.entries(kernels).map(([name, k]) => [name, k.spec])) as SpecsOf<T>;
}

/** How the threads backend splits a kernel: which arguments count, size and advance with a range. */
export interface RangeSplit {
  /** Index of the argument that counts the units of work. */
  count: number;
  /** Index of the argument giving a unit's elements (rows), or -1 when a unit is one element. */
  width: number;
  /** Indices of the byte offsets that advance with the range. */
  pointers: number[];
  /** Per pointer, the index of the argument giving its stride in floats, or BY_WIDTH / BY_ONE_FLOAT. */
  strideArgs: number[];
  /** The scratch argument each thread gets its own region of, and the argument giving its bytes. */
  perThread: { arg: number; strideArg: number } | null;
}

/** RangeSplit.strideArgs for a pointer that advances by the width (`name:range`) or one float (`name:item`) per unit. */
export const BY_WIDTH = -1;
export const BY_ONE_FLOAT = -2;
/** Stands in parseSpec for the stride of an `item` pointer (no argument is named like this). */
const ONE_FLOAT = '/item';

/** A spec's arguments: names, and the split they declare (null when the kernel is not split). */
export function parseSpec(spec: KernelSpec): { names: string[]; split: RangeSplit | null } {
  const names: string[] = [];
  const split: RangeSplit = { count: -1, width: -1, pointers: [], strideArgs: [], perThread: null };
  const strideNames: (string | null)[] = [];
  let thread: [number, string] | null = null;
  spec.args.split(' ').forEach((arg, i) => {
    const [name, role] = arg.split(':');
    const [kind, by] = (role ?? '').split('/');
    names.push(name);
    if (role === 'count') split.count = i;
    else if (role === 'width') split.width = i;
    else if (kind === 'range') { split.pointers.push(i); strideNames.push(by ?? null); }
    else if (role === 'item') { split.pointers.push(i); strideNames.push(ONE_FLOAT); }
    else if (kind === 'thread' && by) thread = [i, by];
    else if (role !== undefined) throw new Error(`kernel argument ${arg}: unknown role ${role}`);
  });
  const indexOf = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`kernel arguments ${spec.args}: no argument ${name}`);
    return i;
  };
  split.strideArgs = strideNames.map((name) => (name === null ? BY_WIDTH : name === ONE_FLOAT ? BY_ONE_FLOAT : indexOf(name)));
  if (thread) split.perThread = { arg: thread[0], strideArg: indexOf(thread[1]) };
  return { names, split: split.count >= 0 ? split : null };
}

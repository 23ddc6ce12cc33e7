// How a kernel is declared, once, in the kernel table (kernels-core.ts, kernels-model.ts,
// kernels-optim.ts): its arguments in order, with the role of each, and what it returns. From a
// declaration follow the kernel's TypeScript type (Backend), the check of a wasm build's exports
// (name and arity), the binding of its js twin (checked by the compiler), and how the threads
// backend splits it (parallel.ts).
//
// `args` is the argument names separated by spaces, in call order; a name may carry a role:
//   name:range   a byte offset that advances with the range of units a thread is given
//   name:count   the number of units (elements, or rows when the kernel has a width)
//   name:width   the elements in a unit (a row's length)
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

/** How the threads backend splits a kernel: which arguments count, size and advance with a range. */
export interface RangeSplit {
  /** Index of the argument that counts the units of work. */
  count: number;
  /** Index of the argument giving a unit's elements (rows), or -1 when a unit is one element. */
  width: number;
  /** Indices of the byte offsets that advance with the range. */
  pointers: number[];
}

/** A spec's arguments: names, and the split they declare (null when the kernel is not split). */
export function parseSpec(spec: KernelSpec): { names: string[]; split: RangeSplit | null } {
  const names: string[] = [];
  const split: RangeSplit = { count: -1, width: -1, pointers: [] };
  spec.args.split(' ').forEach((arg, i) => {
    const [name, role] = arg.split(':');
    names.push(name);
    if (role === 'count') split.count = i;
    else if (role === 'width') split.width = i;
    else if (role === 'range') split.pointers.push(i);
    else if (role !== undefined) throw new Error(`kernel argument ${arg}: unknown role ${role}`);
  });
  return { names, split: split.count >= 0 ? split : null };
}

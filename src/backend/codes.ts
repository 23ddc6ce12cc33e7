// The codes that select an activation, a loss or an elementwise op inside a kernel, written once
// for both languages: the AssemblyScript kernels (assembly/activations.ts, losses.ts, ops.ts)
// import this file as they import each other, and TypeScript re-exports it from backend.ts.
// Namespaces of constants rather than enums: both compilers accept them, asc folds each member
// into the kernels as a literal (the wasm is the same as with local constants), and the
// TypeScript objects hold only the codes (a numeric enum would add its reverse mapping, so
// `Object.values(Act)` would list the names too).

/**
 * Activation codes for the fused epilogues and `activationForward` / `activationBackward`.
 * `param` is LeakyReLU's negative slope or ELU's alpha and is ignored by the others.
 */
export namespace Act {
  export const identity = 0;
  export const relu = 1;
  export const leakyRelu = 2;
  export const sigmoid = 3;
  export const tanh = 4;
  export const geluErf = 5;
  export const geluTanh = 6;
  export const silu = 7;
  export const mish = 8;
  export const elu = 9;
  export const selu = 10;
  export const hardswish = 11;
  export const hardsigmoid = 12;
  export const relu6 = 13;
}

/** Unary op codes for `unary` / `unaryBackward`. `param` is pow's exponent. */
export namespace Unary {
  export const exp = 0;
  export const log = 1;
  export const neg = 2;
  export const pow = 3;
  export const sqrt = 4;
  export const abs = 5;
}

/** Binary op codes for `binary`. */
export namespace Binary {
  export const add = 0;
  export const sub = 1;
  export const mul = 2;
  export const div = 3;
}

/** Elementwise loss codes for `lossForward` / `lossBackward`. `param` is delta (Huber) or beta (SmoothL1). */
export namespace Loss {
  export const mse = 0;
  export const l1 = 1;
  export const huber = 2;
  export const smoothL1 = 3;
  export const bce = 4;
  export const bceWithLogits = 5;
  /** KLDivLoss on log-probabilities; param 1: the target is log-probabilities too (log_target). */
  export const klDiv = 6;
}

/**
 * How upsample picks its sources (torch's interpolate modes): `nearest` the element at
 * ⌊dst·scale⌋ (torch's legacy nearest), `nearestExact` at ⌊(dst + ½)·scale⌋, `linear` the two
 * neighbours of the source coordinate along each axis, weighted (linear, bilinear).
 */
export namespace Interp {
  export const nearest = 0;
  export const nearestExact = 1;
  export const linear = 2;
}

/**
 * How padPlanes fills the border (torch.nn.functional.pad's modes): the constant `value`, the
 * plane mirrored about its edge row or column (the edge not repeated), the edge repeated, or the
 * plane wrapped around.
 */
export namespace Pad {
  export const constant = 0;
  export const reflect = 1;
  export const replicate = 2;
  export const circular = 3;
}

/**
 * Not a code but a fact of the summation order, which the bits depend on: gemm sums over k in
 * blocks of this many steps (assembly/gemm.ts, KC), and the direct weight gradient of a thin
 * convolution repeats those blocks to give gemm's bits (assembly/conv-direct.ts and its js twin).
 */
export namespace GemmOrder {
  export const kBlock = 512;
}

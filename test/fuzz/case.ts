import fc from 'fast-check';
import { Tensor, tensor, zeros } from '../../src/index.js';

// The fuzz case format (see README.md in this folder) and the pieces cases are built from.

/** One invalid call, or a family of them drawn from `args`. */
export interface FuzzCase<A = unknown> {
  /** The function or constructor and what is wrong, e.g. `sum(x, { dim out of range })`. */
  name: string;
  /** fast-check arbitrary of (invalid) arguments; absent: `call` is made once with no arguments. */
  args?: fc.Arbitrary<A>;
  /** Makes the call; `TensorSpec`s anywhere in the args (arrays, plain objects) arrive as live Tensors. */
  call: (args: A) => unknown;
}

/** A generated case: `call` is made with samples of `args`. */
export function fuzz<A>(name: string, args: fc.Arbitrary<A>, call: (args: A) => unknown): FuzzCase {
  return { name, args, call } as FuzzCase;
}

/**
 * A tensor the runner creates just before the call and disposes after it, so sampling arguments
 * allocates nothing and the call's memory is measured with its inputs freed.
 */
export class TensorSpec {
  constructor(
    readonly shape: number[],
    readonly options: { disposed?: boolean; requiresGrad?: boolean; values?: number[] } = {},
  ) {}

  toString(): string {
    return `T[${this.shape.join(', ')}]${this.options.disposed ? ' (disposed)' : ''}`;
  }

  /** How fast-check prints it in a counterexample. */
  [fc.toStringMethod](): string {
    return this.toString();
  }
}

/** A tensor argument of `shape` (zeros unless `values`), created at call time. */
export const T = (shape: number[], options: TensorSpec['options'] = {}): TensorSpec => new TensorSpec(shape, options);

/** The tensors made for the call in progress; the runner disposes them after it. */
let made: Tensor[] | null = null;

/** Called by the runner around each call: returns the list that `live` and `materialize` fill. */
export function beginCall(): Tensor[] {
  made = [];
  return made;
}

export function endCall(): void {
  for (const t of made ?? []) t.dispose();
  made = null;
}

/** Inside a call: a tensor of `shape` (zeros unless `values`), disposed by the runner after the call. */
export function live(shape: number[], options: TensorSpec['options'] = {}): Tensor {
  if (made === null) throw new Error('live() outside a fuzz call');
  return materialize(new TensorSpec(shape, options), made) as Tensor;
}

/** Replaces every TensorSpec in `value` by a live tensor, recording each tensor in `made`. */
export function materialize(value: unknown, made: Tensor[]): unknown {
  if (value instanceof TensorSpec) {
    const { values, disposed, requiresGrad } = value.options;
    const t = values ? tensor(values, value.shape) : zeros(value.shape);
    made.push(t);
    if (requiresGrad) t.requiresGrad_();
    if (disposed) t.dispose();
    return t;
  }
  if (Array.isArray(value)) return value.map((v) => materialize(v, made));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, made)]));
  }
  return value;
}

/** Runs `use` with a value from `make`, disposing it whatever happens (a model, a layer, a loss). */
export function using<M extends { dispose(): void }, R>(make: () => M, use: (m: M) => R): R {
  const m = make();
  try {
    return use(m);
  } finally {
    m.dispose();
  }
}

// ---- pools of bad values --------------------------------------------------------------------------

/** Values of no use as a number, a boolean, a tensor, a shape or an options object. */
export const JUNK: unknown[] = [
  null, 'abc', '', '1', {}, { a: 1 }, [], [2], [[1]], new Float32Array(4), new Uint8Array(2), () => 1, 10n,
  Symbol('s'), new Map(), new Date(0), Object.create(null),
];
/** Numbers that no finite-number argument takes. */
export const NON_FINITE = [NaN, Infinity, -Infinity];
/** Anything that is not a number (undefined excluded: it usually means "the default"). */
export const notNumber = fc.oneof(fc.constantFrom(...JUNK, true, false), fc.string(), fc.object());
/** Anything that is not a boolean (undefined excluded). */
export const notBoolean = fc.oneof(fc.constantFrom(...JUNK, 0, 1, NaN, 'true'), fc.double(), fc.string());
/** Anything that is not a Tensor or a number. */
export const notOperand = fc.oneof(fc.constantFrom(...JUNK, true, undefined), fc.string(), fc.object(), fc.array(fc.double(), { maxLength: 4 }));
/** Anything that is not a Tensor (numbers included). */
export const notTensor = fc.oneof(notOperand, fc.double(), fc.integer());
/** Not a plain options object (undefined excluded: it means {}). */
export const notOptions = fc.oneof(fc.constantFrom(...JUNK.filter((v) => !isPlain(v)), 0, 5, NaN, true), fc.string(), fc.array(fc.anything(), { maxLength: 3 }));
/** Not a shape: wrong type, or entries negative, fractional, non-finite or not numbers; or too many elements. */
export const badShape = fc.oneof(
  fc.constantFrom(null, 'abc', 5, {}, new Float32Array([2]), [NaN], [Infinity], [2, '3'], [[2]], [-1], [1.5], [2 ** 31, 2 ** 31, 4]),
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((ok) =>
    fc.tuple(fc.constant(ok), fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constantFrom(NaN, '2', null)))
      .map(([shape, bad]) => [...shape, bad])),
);

function isPlain(v: unknown): boolean {
  return v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));
}

/** An options object holding at least one key not in `valid` (a misspelling, a foreign name, noise). */
export function unknownKeyOptions(valid: readonly string[], typical: readonly string[] = []): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.oneof(fc.constantFrom('axis', 'keepDim', 'alpha', 'bais', 'weight', 'inplace', 'foo', 'constructor', ...typical), fc.string({ minLength: 1, maxLength: 8 }))
    .filter((k) => !valid.includes(k) && k !== '__proto__');
  return fc.tuple(key, fc.anything()).map(([k, v]) => ({ [k]: v }));
}

/** A shape of rank `rank` with dims in [1, 5]. */
export const shapeOfRank = (rank: number) => fc.array(fc.integer({ min: 1, max: 5 }), { minLength: rank, maxLength: rank });

/** A tensor spec of any rank except those in `ranks` (sizes kept small). */
export const tensorNotOfRank = (ranks: number[]) =>
  fc.integer({ min: 0, max: 4 }).filter((r) => !ranks.includes(r)).chain(shapeOfRank).map((s) => T(s));

/** A disposed tensor of a plausible shape. */
export const disposedTensor = (shape: number[] = [2, 3]) => fc.constant(T(shape, { disposed: true }));

/** Runs `use` with a zero tensor of `shape`, disposed afterwards. */
export function withTensor<R>(shape: number[], use: (t: Tensor) => R): R {
  const t = zeros(shape);
  try {
    return use(t);
  } finally {
    t.dispose();
  }
}

import { requireBackend } from '../core/runtime.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { Binary, Unary, type BinaryCode, type UnaryCode } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { SCALAR, broadcastLayout, reduceBroadcast, type Layout } from './broadcast.js';
import { asTensor, checkOperand, type Operand } from './scalar-operand.js';
import { FINITE, TENSOR, checkValue, required } from '../core/validate.js';

const X = required(TENSOR);

// Elementwise ops with their gradients, each backward written beside its forward.

function binaryOp(
  name: string, code: BinaryCode, x: Operand, y: Operand,
  gradA: (L: Layout, a: Tensor, b: Tensor, out: Tensor, g: number, dst: number) => void,
  gradB: (L: Layout, a: Tensor, b: Tensor, out: Tensor, g: number, dst: number) => void,
): Tensor {
  checkOperand(name, 'a', x);
  checkOperand(name, 'b', y);
  // The layout is settled before a number operand becomes a tensor: a failure allocates nothing.
  const L = broadcastLayout(name, x instanceof Tensor ? x : SCALAR, y instanceof Tensor ? y : SCALAR);
  const A = asTensor(x), B = asTensor(y);
  const a = A.t, b = B.t;
  const out = new Tensor(L.shape);
  for (const operand of [A, B]) if (operand.temporary) out.attach(operand.t);
  requireBackend().binary(code, a.offset, L.a.r, L.a.c, b.offset, L.b.r, L.b.c, out.offset, L.m, L.n);
  return record(out, name, [a, b], [a, b, out], (g, sink) => {
    for (const [input, strides, grad] of [[a, L.a, gradA], [b, L.b, gradB]] as const) {
      if (!sink.wants(input)) continue;
      const full = input.size === L.m * L.n;
      if (full) {
        sink.write(input, (dst) => grad(L, a, b, out, g.offset, dst));
      } else {
        // The gradient of a broadcast operand is the full gradient summed over the broadcast axes.
        const tmp = keep(new Tensor([L.m, L.n]));
        try {
          grad(L, a, b, out, g.offset, tmp.offset);
          sink.writeOrAdd(input, (dst, add) => reduceBroadcast(tmp.offset, L.m, L.n, strides, dst, add));
        } finally {
          tmp.dispose();
        }
      }
    }
  });
}

const FULL = { r: 0, c: 1 };
function bin(code: BinaryCode, p: number, ps: { r: number; c: number }, q: number, qs: { r: number; c: number }, out: number, L: Layout) {
  requireBackend().binary(code, p, ps.r, ps.c, q, qs.r, qs.c, out, L.m, L.n);
}
/** The [m, n] gradient laid out as the output: strides (n, 1) when 2-D, or flat (0, 1). */
function gradStrides(L: Layout) {
  return L.m === 1 ? FULL : { r: L.n, c: 1 };
}

/** a + b, broadcasting. */
export function add(a: Operand, b: Operand): Tensor {
  const pass = (L: Layout, _a: Tensor, _b: Tensor, _o: Tensor, g: number, dst: number) => requireBackend().copy(g, dst, L.m * L.n);
  return binaryOp('add', Binary.add, a, b, pass, pass);
}

/** a − b, broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  return binaryOp('sub', Binary.sub, a, b,
    (L, _a, _b, _o, g, dst) => requireBackend().copy(g, dst, L.m * L.n),
    (L, _a, _b, _o, g, dst) => requireBackend().scale(g, dst, L.m * L.n, -1));
}

/** a ⊙ b, broadcasting. */
export function mul(a: Operand, b: Operand): Tensor {
  return binaryOp('mul', Binary.mul, a, b,
    (L, _a, b, _o, g, dst) => bin(Binary.mul, g, gradStrides(L), b.offset, L.b, dst, L),
    (L, a, _b, _o, g, dst) => bin(Binary.mul, g, gradStrides(L), a.offset, L.a, dst, L));
}

/** a / b, broadcasting. */
export function div(a: Operand, b: Operand): Tensor {
  return binaryOp('div', Binary.div, a, b,
    (L, _a, b, _o, g, dst) => bin(Binary.div, g, gradStrides(L), b.offset, L.b, dst, L),
    // d(a/b)/db = −(a/b)/b = −out/b
    (L, _a, b, out, g, dst) => {
      bin(Binary.mul, g, gradStrides(L), out.offset, gradStrides(L), dst, L);
      bin(Binary.div, dst, gradStrides(L), b.offset, L.b, dst, L);
      requireBackend().scale(dst, dst, L.m * L.n, -1);
    });
}

function unaryOp(name: string, code: UnaryCode, x: Tensor, param = 0): Tensor {
  checkValue(name, 'x', x, X);
  const out = new Tensor(x.shape);
  requireBackend().unary(code, param, x.offset, out.offset, x.size);
  return record(out, name, [x], [x, out], (g, sink) => {
    sink.write(x, (dst) => requireBackend().unaryBackward(code, param, x.offset, out.offset, g.offset, dst, x.size));
  });
}

/** eˣ */
export const exp = (x: Tensor): Tensor => unaryOp('exp', Unary.exp, x);
/** ln x */
export const log = (x: Tensor): Tensor => unaryOp('log', Unary.log, x);
/** −x */
export const neg = (x: Tensor): Tensor => unaryOp('neg', Unary.neg, x);
/** √x */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', Unary.sqrt, x);
/** |x| (gradient 0 at 0, as torch) */
export const abs = (x: Tensor): Tensor => unaryOp('abs', Unary.abs, x);

/** xᵖ for a number exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  checkValue('pow', 'x', x, X);
  checkValue('pow', 'exponent', p, required(FINITE));
  return unaryOp('pow', Unary.pow, x, p);
}

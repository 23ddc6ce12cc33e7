// The scalar formulas of the activations (declared in src/backend/codes.ts, run by the kernels of
// activations.ts): each element's value and derivative, the same code in the SIMD and scalar builds.
// Not a kernel family: index.ts does not export this file.
import { Act } from '../src/backend/codes';

const SILU = Act.silu, MISH = Act.mish, ELU = Act.elu, HARDSWISH = Act.hardswish, HARDSIGMOID = Act.hardsigmoid, RELU6 = Act.relu6;
const SQRT1_2: f64 = 0.7071067811865476; // 1/√2
const GELU_K0: f64 = 0.7978845608028654; // √(2/π)
const GELU_K1: f64 = 0.044715;
// torch's SELU constants (Klambauer et al.).
const SELU_ALPHA: f64 = 1.6732632423543772848170429916717;
const SELU_SCALE: f64 = 1.0507009873554804934193349852946;

/**
 * erfc(z) for z ≥ 0 in float64, relative error below 2e-11 on [0, 10] (0 beyond, where
 * erfc < 2e-45 is below float32's range). The form erfc(z) = t·exp(−z² + P(u)) with
 * t = 2/(2 + z) keeps the relative error small in the far tail, where 1 − erf(z) would cancel;
 * P is a degree-14 Chebyshev interpolant of log(erfc(z)·e^{z²}/t), fitted for this file in
 * u = 2.4t − 1.4 ∈ [−1, 1] and converted to powers of u.
 */
function erfc(z: f64): f64 {
  if (z > 10) return 0;
  const t = 2 / (2 + z);
  const u = 2.4 * t - 1.4;
  let p = -8.12951586612999e-7;
  p = p * u - 3.942460783654193e-7;
  p = p * u + 7.950949078972967e-6;
  p = p * u - 3.4364403326186805e-6;
  p = p * u - 4.208495470047005e-5;
  p = p * u + 6.6232407328156e-5;
  p = p * u + 1.4976717409047528e-4;
  p = p * u - 5.46333420789737e-4;
  p = p * u - 2.858296143451541e-4;
  p = p * u + 3.712872486984288e-3;
  p = p * u - 1.0433021297096272e-3;
  p = p * u - 2.9471315399422028e-2;
  p = p * u + 1.574488485242956e-2;
  p = p * u + 0.5703071524041934;
  p = p * u - 0.55859535113571;
  return t * Math.exp(p - z * z);
}

/** Φ(x), the standard normal CDF: ½·erfc(−x/√2), taken from the side where erfc is small. */
export function normalCdf(x: f64): f64 {
  const z = x * SQRT1_2;
  return z < 0 ? 0.5 * erfc(-z) : 1 - 0.5 * erfc(z);
}

@inline export function sigmoid(x: f32): f32 {
  return <f32>1 / (<f32>1 + Mathf.exp(-x));
}

/**
 * GELU 'tanh' written as x·σ(2u), u = √(2/π)(x + 0.044715x³): the same function as torch's
 * 0.5x(1 + tanh u), without the cancellation of 1 + tanh u for negative x.
 */
@inline export function geluTanh(x: f64): f64 {
  const u = GELU_K0 * (x + GELU_K1 * x * x * x);
  return x / (1 + Math.exp(-2 * u));
}

/** d/dx x·σ(2u) = σ(2u) + x·2σ(2u)σ(−2u)·u′, with e^{−2|u|} so that nothing overflows. */
@inline export function geluTanhGrad(x: f64): f64 {
  const u = GELU_K0 * (x + GELU_K1 * x * x * x);
  const e = Math.exp(-2 * Math.abs(u));
  const r = 1 / (1 + e);
  const s = u >= 0 ? r : e * r;
  const du = GELU_K0 * (1 + 3 * GELU_K1 * x * x);
  return s + x * 2 * (e * r * r) * du;
}

/**
 * The smooth activations computed in float64 and rounded once, as GELU: SiLU x·σ(x), Mish
 * x·tanh(softplus x), ELU (x > 0 ? x : α·(eˣ − 1), α = param) and SELU (scale·ELU with torch's α).
 */
@inline export function smooth(act: i32, param: f64, x: f64): f64 {
  if (act == SILU) return x / (1 + Math.exp(-x));
  if (act == MISH) return x * Math.tanh(Math.log1p(Math.exp(x)));
  if (act == ELU) return x > 0 ? x : param * Math.expm1(x);
  return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
}

/**
 * dy·f′ of the smooth activations, from x: SiLU σ(1 + x(1 − σ)); Mish t + x·σ·(1 − t²), t =
 * tanh(softplus x); ELU and SELU select as torch does (x ≤ 0 ? dy·α·eˣ : dy, a NaN input passing dy).
 */
@inline export function smoothBackward(act: i32, param: f64, x: f64, dy: f64): f64 {
  if (act == SILU) {
    const s = 1 / (1 + Math.exp(-x));
    return dy * (s * (1 + x * (1 - s)));
  }
  if (act == MISH) {
    const s = 1 / (1 + Math.exp(-x)), t = Math.tanh(Math.log1p(Math.exp(x)));
    return dy * (t + x * s * (1 - t * t));
  }
  if (act == ELU) return x <= 0 ? dy * (param * Math.exp(x)) : dy;
  return x <= 0 ? dy * (SELU_SCALE * SELU_ALPHA * Math.exp(x)) : dy * SELU_SCALE;
}

/**
 * The hard (piecewise) activations in float32, in torch's order of operations: Hardswish
 * x·min(max(x + 3, 0), 6)/6, Hardsigmoid min(max(x + 3, 0), 6)/6, ReLU6 min(max(x, 0), 6).
 */
@inline export function hard(act: i32, x: f32): f32 {
  if (act == RELU6) return Mathf.min(Mathf.max(x, 0), 6);
  const clipped = Mathf.min(Mathf.max(x + <f32>3, 0), 6);
  return act == HARDSWISH ? x * clipped / <f32>6 : clipped / <f32>6;
}

/**
 * dy·f′ of the hard activations, selected as torch's backward kernels do: Hardswish x < −3 ? 0 :
 * x ≤ 3 ? dy·(x/3 + ½) : dy; Hardsigmoid −3 < x < 3 ? dy·⅙ : 0; ReLU6 (x ≤ 0 or x ≥ 6) ? 0 : dy.
 */
@inline export function hardBackward(act: i32, x: f32, dy: f32): f32 {
  if (act == RELU6) return x <= 0 || x >= 6 ? 0 : dy;
  if (act == HARDSIGMOID) return x > -3 && x < 3 ? dy * (<f32>1 / <f32>6) : 0;
  return x < -3 ? 0 : x <= 3 ? dy * (x / <f32>3 + <f32>0.5) : dy;
}


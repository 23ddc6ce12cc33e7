// What every fused optimizer kernel shares (the kernels: optim-momentum.ts, optim-adaptive.ts,
// optim-adam.ts; each formula is stated in src/backend/optim-kernels.ts): the constant area K,
// compile-time flags, the update gradient, the moment averages in their 4-lane and 1-lane forms,
// and the one loop shape an optimizer's 4-lane step runs in. A kernel is then: put its constants,
// pick the step type for its flags, run the SIMD loop, finish with the scalar tail.
//
// Every kernel reads p, g and its state once and writes them once. The scalar build compiles the
// same source without the SIMD loop, and both do the same float32 operations in the same order
// (f32x4.sqrt and f32x4.div round exactly like their scalar forms; each product is rounded before
// its add, no FMA), so the two builds and the js twins agree bit for bit.
//
// How the SIMD loops are made fast (measured on a 1M-element parameter, Node 20 / V8 11.3):
// - Options that change the formula are type arguments (`On` / `Off`): each combination is its
//   own loop with no branch in it. Loop-invariant branches cost the division-bound kernels
//   nothing, but the memory-bound ones (SGD, momentum) ran 40% slower with them. (Inlining with
//   constant flags does not do this: Binaryen folds the copies back into one loop.)
// - Kernels with many scalars (Adam: nine) splat them once at entry into the static constant
//   area K and re-load them in the loop with constant immediate offsets: TurboFan re-materialises
//   `f32x4.splat`s of locals inside such loops, while these loads fold into the arithmetic as
//   memory operands (Adam +30%). With two to four scalars (SGD, EMA momentum) splatted locals
//   stay in registers and are faster still (momentum +15%): those run `regSteps`.
// - The pointers are stepped and each iteration takes two vectors (four for SGD and EMA, which
//   move the most bytes per flop), so every address is a pointer plus a constant offset.
//
// A step is an `@unmanaged` class whose `@inline` methods never read `this`: the drivers call
// them on `changetype<S>(0)`, so a type argument picks the step and nothing is allocated (asc
// 0.28 cannot call a static method through a type parameter).

export const K: usize = memory.data(320, 16);

// Slots of K, by meaning. BETA1 is the decay of a first-moment average (β1); BETA2 the decay of
// a second-moment average (β2, RMSprop's α, Adadelta's ρ).
export const LR = 0;
export const WD = 16;
export const BETA1 = 32;
export const OMB1 = 48; // 1 − BETA1
export const BETA2 = 64;
export const OMB2 = 80; // 1 − BETA2
export const EPS = 96;
export const MOMENTUM = 112; // RMSprop's
export const AUX = 128; // AdamW's decay factor, NAdam's second coefficient
export const SIGN = 144; // −1 to maximize, else 1
export const ONE = 160;
export const MINUS_ONE = 176;
export const STUCK = 192; // i32 lanes: 0x7fffffff − stuckMax, the bias of `stuckLanes`' test
export const P_MIN = 208; // the least |p| a stuck first moment provably cannot move (+∞: never)
export const ABS = 224; // i32 lanes: 0x7fffffff, the magnitude bits of a float32
export const SUBNORMAL = 240; // i32 lanes: 0x7f800000, the bias of `subnormalLanes`' test (0x7fffffff: off)
export const BETA1_F64 = 256; // β1 as two float64 lanes
export const OMB1_F64 = 272; // 1 − β1 as two float64 lanes
export const LR_F64 = 288; // LR as two float64 lanes
export const AUX_F64 = 304; // AUX as two float64 lanes

// Compile-time flags: `is<On>()` and `is<Off>()` are constants.
export type On = u8;
export type Off = u16;
@inline export function is<F>(): bool {
  return sizeof<F>() == 1;
}

@inline export function put(slot: usize, x: f32): void {
  v128.store(K + slot, f32x4.splat(x));
}

/** d = ±g (+ wd·p), the gradient an update uses (see optim-kernels.ts). */
@inline export function grad4<DECAY>(g: v128, p: v128): v128 {
  const d = f32x4.mul(g, v128.load(K, SIGN));
  return is<DECAY>() ? f32x4.add(d, f32x4.mul(v128.load(K, WD), p)) : d;
}

@inline export function grad1(g: f32, p: f32, sign: f32, wd: f32): f32 {
  const d = g * sign;
  return wd != 0 ? d + wd * p : d;
}

// The moment averages, β·m + (1−β)·x. IEEE × and + commute, so the bits are the same whichever
// way a paper or an older kernel writes it (m·β + (1−β)·x, (1−β)·g + β·m); each product is
// rounded before the add. The second moment squares after scaling, ((1−β)·x)·x, as torch does.

/**
 * β·m + (1−β)·x with β and 1−β as vectors (from K, or splatted locals). The loaded operand of
 * each product is on the right, where V8 folds it into the multiplication as a memory operand.
 */
@inline export function mix4(m: v128, x: v128, beta: v128, oneMinusBeta: v128): v128 {
  return f32x4.add(f32x4.mul(beta, m), f32x4.mul(oneMinusBeta, x));
}

@inline export function mix1(m: f32, x: f32, beta: f32, oneMinusBeta: f32): f32 {
  return m * beta + oneMinusBeta * x;
}

/** The first moment β1·m + (1−β1)·x, its constants from K. */
@inline export function first4(m: v128, x: v128): v128 {
  return mix4(m, x, v128.load(K, BETA1), v128.load(K, OMB1));
}

/** The second moment v·β2 + ((1−β2)·x)·x, its constants from K. */
@inline export function second4(v: v128, x: v128): v128 {
  return f32x4.add(f32x4.mul(v, v128.load(K, BETA2)), f32x4.mul(f32x4.mul(v128.load(K, OMB2), x), x));
}

@inline export function second1(v: f32, x: f32, beta: f32, oneMinusBeta: f32): f32 {
  return v * beta + oneMinusBeta * x * x;
}

/** sign(x): ±1, and x itself for ±0 and NaN (so NaN propagates as it does in numpy). */
@inline export function sign4(x: v128): v128 {
  const zero = f32x4.splat(0);
  const pos = f32x4.gt(x, zero);
  const neg = f32x4.lt(x, zero);
  const s = v128.or(v128.and(pos, v128.load(K, ONE)), v128.and(neg, v128.load(K, MINUS_ONE)));
  return v128.bitselect(s, x, v128.or(pos, neg));
}

@inline export function sign1(x: f32): f32 {
  return x > 0 ? <f32>1 : x < 0 ? <f32>-1 : x;
}

// Dead units and subnormals. A unit whose gradient stays zero (a dead ReLU) keeps a first moment m
// that decays by β1 each step into the subnormals and sticks there: for m = ±k·2^-149, β1·m
// rounds back to m while (1−β1)·k < 1/2 (k ≤ 4 for β1 = 0.9). Wasm cannot flush subnormals to
// zero, and on x86 a float operation on one costs tens of cycles in a busy loop (AMD Zen 4 here:
// a division 9.0 against 2.6 cycles a vector, a multiply 4–15 more while the divider works), so
// Adam ran such rows at a third of its speed — a large part of a step once a net has many dead
// units, as the benchmark nets do after a few hundred steps. A dead lane's step is known without a
// float operation on the subnormal:
// - m becomes β1·m: ±k'·2^-149 with k' = β1·k rounded to an integer, ties to even — exact in
//   float64 (a 24-bit by 23-bit product), and with 0 < β1 < 1, k' ≤ 2^23, the bit pattern of
//   2^-126, so the step out of the subnormals comes out right too; k' = k once m is stuck. Adding
//   the zero (1−β1)·d changes nothing while k' > 0.
// - v is computed as ever.
// - p stays p: with den ≥ eps > 0 (v ≥ 0), |p| ≥ P_MIN = max(2^-100, 4·max(|c|·2^-90,
//   2^-110)/eps) and |m| < 2^-126, a move of c·m/den (Adam, Yogi, rectified RAdam: c = LR; NAdam:
//   its avgCoef, with d = 0 its gradCoef term is 0; unrectified RAdam: c·m, so eps = 1) is under
//   |p|·2^-37 plus rounding terms under |p|·2^-40 — far below a quarter of p's last place.
// Adam, AdamW, NAdam, RAdam and Yogi (not amsgrad) step a vector of such lanes that way, and a
// vector with some beside live lanes computes the live ones on a zero m in the dead ones' place. A
// subnormal m no rule covers (beside a p of 0, a subnormal or NaN p, or a nonzero d) takes the
// float64 twin of the whole step (below): exact, no subnormal float32 operation, but 1.5× the old
// cost. The bits are always those of the float32 formula, which the js twins (float64, then
// rounded) compute as ever. The test for subnormals costs live data 3 % (Adam, RAdam) to 7–12 %
// (AdamW, NAdam, Yogi) on a quiet core; taken once for two vectors, or with the subnormal step
// out of line, it cost more.

/** The largest k with β1·k rounding to k (ties to even), at most 4096; 0 unless 0 < β1 < 1. */
function stuckMax(beta1: f32): i32 {
  if (!(beta1 > 0 && beta1 < 1)) return 0;
  let k = 0;
  while (k < 4096 && nearest<f64>(<f64>beta1 * <f64>(k + 1)) == <f64>(k + 1)) k++;
  return k;
}

let stuckBeta1: f32 = NaN;
let stuckK: i32 = 0;

/**
 * Puts the constants of the dead-lane step (see above); β1 outside (0, 1) or a non-finite 1−β1
 * turns it off. Call it after the kernel's LR and AUX: their float64 copies are made from K.
 */
export function putStuck(coef: f32, eps: f32, beta1: f32, oneMinusBeta1: f32): void {
  if (beta1 != stuckBeta1) {
    stuckK = stuckMax(beta1);
    stuckBeta1 = beta1;
  }
  const on = isFinite(oneMinusBeta1) && beta1 > 0 && beta1 < 1;
  v128.store(K + STUCK, i32x4.splat(0x7fffffff - (on ? stuckK : 0)));
  v128.store(K + SUBNORMAL, i32x4.splat(on ? 0x7f800000 : 0x7fffffff));
  v128.store(K + BETA1_F64, f64x2.splat(<f64>beta1));
  v128.store(K + OMB1_F64, f64x2.splat(<f64>oneMinusBeta1));
  v128.store(K + LR_F64, f64x2.splat(<f64>f32x4.extract_lane(v128.load(K, LR), 0)));
  v128.store(K + AUX_F64, f64x2.splat(<f64>f32x4.extract_lane(v128.load(K, AUX), 0)));
  v128.store(K + ABS, i32x4.splat(0x7fffffff));
  const c = Math.abs(<f64>coef);
  const pMin = Math.max(7.888609052210118e-31, 4 * Math.max(c * 8.077935669463161e-28, 7.703719777548943e-34) / <f64>eps);
  put(P_MIN, c <= 1024 && eps > 0 && eps < Infinity ? <f32>pMin : Infinity);
}

/** The lanes of m holding a nonzero subnormal (integer operations: a float compare would touch it). */
@inline export function subnormalLanes(m: v128): v128 {
  return i32x4.gt_s(i32x4.add(v128.and(m, v128.load(K, ABS)), v128.load(K, SUBNORMAL)), v128.load(K, SUBNORMAL));
}

/** β1·m rounded to float32 in the lanes where m is subnormal (others: garbage), by integer and float64 steps. */
@inline export function decaySubnormal4(m: v128): v128 {
  const k = v128.and(m, v128.load(K, ABS));
  const beta = v128.load(K, BETA1_F64);
  const lo = f64x2.nearest(f64x2.mul(f64x2.convert_low_i32x4_s(k), beta));
  const hi = f64x2.nearest(f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(k, k, 2, 3, 2, 3)), beta));
  const kk = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(lo), i32x4.trunc_sat_f64x2_s_zero(hi), 0, 1, 4, 5);
  return v128.or(kk, v128.andnot(m, v128.load(K, ABS)));
}

// The float64 twin of a float32 step, for vectors with a subnormal the shortcuts above do not
// cover: each float32 operation is done in float64 on the two halves of a vector and rounded back
// to float32 (`f32r`), which gives its float32 result exactly (for +, −, ×, ÷ and √ of float32
// operands, 53 ≥ 2·24 + 2 bits make the double rounding innocuous), with no subnormal operand in
// sight of the float32 units (conversions cost nothing extra here).

/** The low (0) or high (1) two lanes of a float32 vector as float64. */
@inline export function half64(x: v128, h: i32): v128 {
  return f64x2.promote_low_f32x4(h ? i32x4.shuffle(x, x, 2, 3, 2, 3) : x);
}

/** A float64 pair rounded to float32 and back: what a float32 operation would have given. */
@inline export function f32r(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

/** Two float64 pairs (float32 values) as one float32 vector. */
@inline export function join32(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The first moment β1·m + (1−β1)·d of half h, in float64 with float32 rounding. */
@inline export function first64(m: v128, d: v128, h: i32): v128 {
  return f32r(f64x2.add(f32r(f64x2.mul(v128.load(K, BETA1_F64), half64(m, h))), f32r(f64x2.mul(v128.load(K, OMB1_F64), half64(d, h)))));
}

/** The lanes of m holding a stuck subnormal, one β1·m rounds back to (integer operations). */
@inline export function stuckLanes(m: v128): v128 {
  return i32x4.gt_s(i32x4.add(v128.and(m, v128.load(K, ABS)), v128.load(K, STUCK)), v128.load(K, STUCK));
}

/**
 * The lanes whose step provably leaves p as it is: d ±0, 0 ≤ v ≤ +∞ and P_MIN ≤ |p| < +∞, told by
 * integer compares of the bits (nonnegative floats order as their bits; NaNs lie above +∞), so
 * that a subnormal d, v or p costs nothing here either.
 */
@inline export function stillLanes(d: v128, p: v128, v: v128): v128 {
  const abs = v128.load(K, ABS), inf = i32x4.splat(0x7f800000);
  const ap = v128.and(p, abs);
  const dZero = i32x4.eq(v128.and(d, abs), i32x4.splat(0));
  const pBig = v128.and(i32x4.ge_s(ap, v128.load(K, P_MIN)), i32x4.lt_s(ap, inf));
  return v128.and(v128.and(dZero, i32x4.le_u(v, inf)), pBig);
}

/** How far a stream's pointer moves per iteration: not at all past the streams a step uses. */
@inline function stride<S>(s: S, stream: i32, bytes: usize): usize {
  return s.streams() > stream ? bytes : 0;
}

/**
 * The SIMD loop of the kernels whose constants live in K: two 4-lane steps per iteration over
 * whole groups of eight elements, p, g and up to three state streams a, b, c (`S.streams()`
 * counts p and g; a stream past it is never stepped, so it costs no register). Returns the first
 * element the scalar tail does.
 */
export function kSteps<S>(p: usize, g: usize, a: usize, b: usize, c: usize, n: i32): i32 {
  const s = changetype<S>(0);
  const da = stride(s, 2, 32), db = stride(s, 3, 32), dc = stride(s, 4, 32);
  for (const end = p + (<usize>(n & ~7) << 2); p < end; p += 32, g += 32, a += da, b += db, c += dc) {
    s.step4(p, g, a, b, c);
    s.step4(p + 16, g + 16, a + 16, b + 16, c + 16);
  }
  return n & ~7;
}

/**
 * The SIMD loop of the memory-bound kernels (SGD, EMA momentum): their up to four constants,
 * splatted here, stay in v128 registers, and each iteration takes four vectors of p, g and one
 * state stream b. Returns the first element the scalar tail does.
 */
export function regSteps<S>(p: usize, g: usize, b: usize, n: i32, x0: f32, x1: f32, x2: f32, x3: f32): i32 {
  const s = changetype<S>(0);
  const c0 = f32x4.splat(x0), c1 = f32x4.splat(x1), c2 = f32x4.splat(x2), c3 = f32x4.splat(x3);
  for (const end = p + (<usize>(n & ~15) << 2); p < end; p += 64, g += 64, b += 64) {
    s.step4(p, g, b, c0, c1, c2, c3);
    s.step4(p + 16, g + 16, b + 16, c0, c1, c2, c3);
    s.step4(p + 32, g + 32, b + 32, c0, c1, c2, c3);
    s.step4(p + 48, g + 48, b + 48, c0, c1, c2, c3);
  }
  return n & ~15;
}

// The 2-D test functions of `descent compare functions`, in float64 with analytic gradients, and
// the one learning rate each optimizer uses on each of them (LEARNING_RATES, below).

export type Point = readonly [number, number];

export interface TestFunction {
  /** The name on the command line. */
  name: string;
  /** The chart title. */
  title: string;
  /** The formula, in plain text. */
  formula: string;
  f(x: number, y: number): number;
  grad(x: number, y: number): [number, number];
  /** Where every optimizer starts. */
  start: Point;
  /** The global minima (the saddle function has two) and the minimum value f*. */
  minima: Point[];
  fMin: number;
  /** The plotting window. */
  window: { x: Point; y: Point };
  /** Saddle points to mark on the chart. */
  saddles?: Point[];
  /** For a saddle: an extra table column, the first step with f below this level (off the saddle). */
  escape?: { below: number; column: string };
}

/** Rosenbrock's banana, a = 1, b = 100: a long, curved, flat-bottomed valley to (1, 1). */
export const rosenbrock: TestFunction = {
  name: 'rosenbrock',
  title: 'Rosenbrock (a = 1, b = 100)',
  formula: 'f(x, y) = (1 − x)² + 100 (y − x²)²',
  f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  start: [-1.5, 2],
  minima: [[1, 1]],
  fMin: 0,
  window: { x: [-2, 2], y: [-1, 3] },
};

// The quadratic's Hessian R·diag(1, 50)·Rᵀ, R a rotation by 30°: condition number 50, with axes
// that are not the coordinate axes, so an optimizer that rescales each coordinate (AdaGrad,
// RMSProp, Adam, …) cannot undo the ill-conditioning by itself.
const THETA = Math.PI / 6;
const [C, S] = [Math.cos(THETA), Math.sin(THETA)];
const [L1, L2] = [1, 50];
/** The quadratic's Hessian [[a, b], [b, d]]. */
export const QUADRATIC_HESSIAN = {
  a: L1 * C * C + L2 * S * S,
  b: (L1 - L2) * C * S,
  d: L1 * S * S + L2 * C * C,
} as const;
const H = QUADRATIC_HESSIAN;

/** ½·zᵀHz, H with eigenvalues 1 and 50 along axes rotated by 30°: a narrow tilted bowl. */
export const quadratic: TestFunction = {
  name: 'quadratic',
  title: 'Ill-conditioned quadratic (κ = 50, axes rotated 30°)',
  formula: 'f(z) = ½ zᵀ H z, H = R(30°) diag(1, 50) R(30°)ᵀ',
  f: (x, y) => 0.5 * (H.a * x * x + 2 * H.b * x * y + H.d * y * y),
  grad: (x, y) => [H.a * x + H.b * y, H.b * x + H.d * y],
  start: [-4, 2],
  minima: [[0, 0]],
  fMin: 0,
  window: { x: [-5, 5], y: [-4.5, 4.5] },
};

/** Beale's function: flat plateaus, steep walls (the y³ term) and a narrow valley to (3, ½). */
export const beale: TestFunction = {
  name: 'beale',
  title: 'Beale',
  formula: 'f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
  f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
  grad: (x, y) => {
    const a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y ** 3;
    return [
      2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
      2 * a * x + 4 * b * x * y + 6 * c * x * y * y,
    ];
  },
  start: [1, 1.5],
  minima: [[3, 0.5]],
  fMin: 0,
  window: { x: [-1.5, 4.5], y: [-2, 2.5] },
};

/**
 * A strict saddle at the origin, bounded below: x² − y² + ¼y⁴, minima (0, ±√2) with f* = −1.
 * Every optimizer starts just off the saddle's stable line (y = 10⁻³), where the gradient's y part
 * is ~10⁻³ of its x part: methods that follow the gradient's size (SGD) take many steps to leave,
 * methods that rescale it per coordinate (AdaGrad, RMSProp, Adam) leave at once. The monkey
 * saddle x³ − 3xy² has no minimum (it falls to −∞), so "distance to the minimum" and "steps to
 * tolerance" would mean nothing there.
 */
export const saddle: TestFunction = {
  name: 'saddle',
  title: 'Saddle x² − y² + ¼y⁴',
  formula: 'f(x, y) = x² − y² + ¼ y⁴',
  f: (x, y) => x * x - y * y + 0.25 * y ** 4,
  grad: (x, y) => [2 * x, -2 * y + y ** 3],
  start: [-2, 1e-3],
  minima: [[0, Math.SQRT2], [0, -Math.SQRT2]],
  fMin: -1,
  window: { x: [-2.5, 2.5], y: [-2, 2] },
  saddles: [[0, 0]],
  escape: { below: -0.5, column: 'steps to f < −½' },
};

export const FUNCTIONS: readonly TestFunction[] = [rosenbrock, quadratic, beale, saddle];
export const FUNCTION_NAMES = FUNCTIONS.map((f) => f.name);

/** The optimizers the course compares, in the order of the tables and legends. */
export const COURSE_OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'yogi'];

/**
 * The learning rate of each optimizer on each function: one lr per method per function, as the
 * course uses; every other option is the optimizer's default (momentum 0.9, RMSProp α 0.99,
 * Adadelta ρ 0.9, Adam/Yogi β (0.9, 0.999), …). Picked by hand from runs over a grid of
 * {1, 2, 5}·10ᵏ: for each method a value near the best within the step budget, so that a method
 * that fails here fails at (close to) its best, not from a poor lr — but not the fastest value
 * where that one sits next to divergence or makes an erratic path (AdaGrad at 2 on Rosenbrock
 * jumps out of the picture and back), nor one whose first steps leave the plotting window. The
 * saddle's values are the ones at which the stable-direction contraction is comfortable (SGD 0.1
 * = a fifth of 2/L at the minima). Deliberate exceptions:
 * - SGD on the quadratic: 0.035 = 1.75/L (L = 50, stable below 2/L = 0.04), so the steep
 *   direction flips sign each step (×(1 − 1.75) = ×−0.75): the textbook zig-zag.
 * - SGD on Rosenbrock: 1e-3, half the largest that survives (2e-3; the curvature across the
 *   valley at the start is ~1900). It still crawls: the valley is ~1000× flatter along than across.
 * - Momentum and Nesterov share an lr on each function, as do Adam and Yogi (Yogi is Adam with
 *   an additive second moment), so each pair differs in one thing only.
 * The methods outside the course's eight (EMA momentum = 10× momentum's lr, since it scales the
 * step by 1 − β; AdamW, Adamax, NAdam, RAdam, Lion) were set the same way, more coarsely.
 */
// prettier-ignore
const LR_TABLE: Record<string, [rosenbrock: number, quadratic: number, beale: number, saddle: number]> = {
  //           rosenbrock  quadratic  beale   saddle
  sgd:        [1e-3,       0.035,     0.02,   0.1],
  momentum:   [1e-3,       0.01,      5e-3,   0.02],
  nesterov:   [1e-3,       0.01,      5e-3,   0.02],
  adagrad:    [1,          2,         2,      0.5],
  rmsprop:    [5e-3,       0.1,       0.02,   0.02],
  adadelta:   [0.2,        5,         2,      2],
  adam:       [0.1,        0.5,       0.2,    0.1],
  yogi:       [0.1,        0.5,       0.2,    0.1],
  ema:        [0.01,       0.1,       0.05,   0.2],
  adamw:      [0.1,        0.5,       0.2,    0.1],
  adamax:     [0.2,        2,         1,      0.1],
  nadam:      [0.02,       0.5,       0.2,    0.1],
  radam:      [0.01,       0.05,      5e-3,   0.2],
  lion:       [2e-3,       0.02,      0.05,   0.1],
};

/** LEARNING_RATES[function][optimizer], from the table above. */
export const LEARNING_RATES: Record<string, Record<string, number>> = Object.fromEntries(
  ['rosenbrock', 'quadratic', 'beale', 'saddle'].map((fn, column) => [
    fn, Object.fromEntries(Object.entries(LR_TABLE).map(([optimizer, lrs]) => [optimizer, lrs[column]])),
  ]),
);

export function functionByName(name: string): TestFunction | undefined {
  return FUNCTIONS.find((f) => f.name === name);
}

/** The distance from (x, y) to the nearest minimum. */
export function distanceToMinimum(fn: TestFunction, x: number, y: number): number {
  return Math.min(...fn.minima.map(([mx, my]) => Math.hypot(x - mx, y - my)));
}

// The 2-D test functions of `descent compare functions`, in float64 with analytic gradients, and
// the step budget on each. The learning rate each optimizer uses on each is its record's (optimizers.ts).

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

export function functionByName(name: string): TestFunction | undefined {
  return FUNCTIONS.find((f) => f.name === name);
}

/** The distance from (x, y) to the nearest minimum. */
export function distanceToMinimum(fn: TestFunction, x: number, y: number): number {
  return Math.min(...fn.minima.map(([mx, my]) => Math.hypot(x - mx, y - my)));
}

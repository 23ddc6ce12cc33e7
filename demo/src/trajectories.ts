// The second tab: the optimizers of `descent compare functions` on its 2-D test functions
// (src/cli/functions2d.ts), animated. Each trajectory is the library's real optimizer stepping a
// 2-element Parameter whose gradient is set from the analytic ∇f, as the CLI does; the few
// thousand tiny steps take milliseconds, so this runs on the page's own thread.
import { init, Parameter } from 'descent';
import { makeOptimizer } from '../../src/cli/factory.js';
import { COURSE_OPTIMIZERS, FUNCTIONS, LEARNING_RATES, distanceToMinimum, type TestFunction } from '../../src/cli/functions2d.js';

// As the CLI's charts (src/cli/compare.ts, which also imports node:fs, so the page cannot).
export const DISPLAY: Record<string, string> = {
  sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', ema: 'EMA momentum', adagrad: 'AdaGrad',
  rmsprop: 'RMSProp', adadelta: 'Adadelta', adam: 'Adam', adamw: 'AdamW', adamax: 'Adamax',
  nadam: 'NAdam', radam: 'RAdam', yogi: 'Yogi', lion: 'Lion',
};
const COLOURS: Record<string, string> = {
  sgd: '#1f77b4', momentum: '#ff7f0e', nesterov: '#2ca02c', adagrad: '#d62728', rmsprop: '#9467bd',
  adadelta: '#8c564b', adam: '#e377c2', yogi: '#17becf', ema: '#bcbd22', adamw: '#393b79',
  adamax: '#e7ba52', nadam: '#637939', radam: '#7b4173', lion: '#843c39',
};
export const DEFAULT_STEPS: Record<string, number> = { rosenbrock: 2000, quadratic: 500, beale: 500, saddle: 500 };
export { COURSE_OPTIMIZERS, FUNCTIONS };

export interface Run {
  optimizer: string;
  lr: number;
  xs: Float64Array;
  ys: Float64Array;
  /** f − f* at each point. */
  losses: Float64Array;
  /** Points computed (steps + 1, fewer if it diverged). */
  length: number;
  divergedAt: number | null;
}

let ready: Promise<unknown> | null = null;

/** Runs each optimizer from the function's start for `steps` steps. */
export async function runAll(fn: TestFunction, optimizers: string[], steps: number): Promise<Run[]> {
  await (ready ??= init());
  return optimizers.map((name) => {
    const lr = LEARNING_RATES[fn.name][name];
    const p = new Parameter([fn.start[0], fn.start[1]], [2]);
    const opt = makeOptimizer(name, [p], { lr });
    const run: Run = {
      optimizer: name, lr, xs: new Float64Array(steps + 1), ys: new Float64Array(steps + 1),
      losses: new Float64Array(steps + 1), length: 0, divergedAt: null,
    };
    try {
      for (let k = 0; k <= steps; k++) {
        const data = p.data;
        const x = data[0], y = data[1];
        const loss = fn.f(x, y) - fn.fMin;
        if (!Number.isFinite(loss) || Math.hypot(x, y) > 1e6) {
          run.divergedAt = k;
          break;
        }
        run.xs[k] = x;
        run.ys[k] = y;
        run.losses[k] = loss;
        run.length = k + 1;
        if (k === steps) break;
        p.grad.data.set(fn.grad(x, y));
        opt.step();
      }
    } finally {
      opt.dispose();
      p.grad.dispose();
      p.dispose();
    }
    return run;
  });
}

/** The function's contours (log-spaced levels of f − f*) as an image of the canvas's size. */
export function contourImage(fn: TestFunction, width: number, height: number): ImageData {
  const image = new ImageData(width, height);
  const { x: [xa, xb], y: [ya, yb] } = fn.window;
  const level = new Float64Array(width * height);
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const x = xa + ((i + 0.5) / width) * (xb - xa);
      const y = yb - ((j + 0.5) / height) * (yb - ya);
      const v = Math.log10(Math.max(fn.f(x, y) - fn.fMin, 0) + 1e-3);
      level[j * width + i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const bands = 18;
  const band = (v: number): number => Math.min(bands - 1, Math.floor(((v - lo) / (hi - lo || 1)) * bands));
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const k = j * width + i;
      const b = band(level[k]);
      const t = b / (bands - 1);
      // Light blue (low) to light sand (high), darker where the band changes (the contour line).
      let r = 198 + 52 * t, g = 219 + 16 * t, bl = 239 - 34 * t;
      const edge = (i + 1 < width && band(level[k + 1]) !== b) || (j + 1 < height && band(level[k + width]) !== b);
      if (edge) { r -= 70; g -= 70; bl -= 60; }
      image.data.set([r, g, bl, 255], k * 4);
    }
  }
  return image;
}

export function colour(name: string): string {
  return COLOURS[name] ?? '#444';
}

export function finalDistance(fn: TestFunction, run: Run, k: number): number {
  const i = Math.min(k, run.length - 1);
  return distanceToMinimum(fn, run.xs[i], run.ys[i]);
}

// The second tab: the optimizers of `descent compare functions` on its 2-D test functions
// (src/cli/functions2d.ts), animated. Each trajectory is the library's real optimizer stepping a
// 2-element Parameter whose gradient is set from the analytic ∇f, as the CLI does; the few
// thousand tiny steps take milliseconds, so this runs on the page's own thread.
import { init } from 'descent';
import {
  COURSE_OPTIMIZERS, FUNCTIONS, LEARNING_RATES, distanceToMinimum, type TestFunction, COLOURS, DEFAULT_STEPS,
  DISPLAY, trajectory, type Trajectory,
} from '../../src/catalog/index.js';

export { COURSE_OPTIMIZERS, FUNCTIONS, DEFAULT_STEPS, DISPLAY };

/** A trajectory of the library's optimizer (src/cli/trajectory.ts) and its number of points. */
export interface Run extends Trajectory {
  length: number;
}

let ready: Promise<unknown> | null = null;

/** Runs each optimizer from the function's start for `steps` steps, at the CLI's learning rates. */
export async function runAll(fn: TestFunction, optimizers: string[], steps: number): Promise<Run[]> {
  await (ready ??= init());
  return optimizers.map((name) => {
    const run = trajectory(fn, name, LEARNING_RATES[fn.name][name], steps);
    return { ...run, length: run.xs.length };
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

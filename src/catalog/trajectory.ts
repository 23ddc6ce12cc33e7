// One optimizer's path on a 2-D test function, as `descent compare functions` and the demo's
// trajectory tab show it. Browser-safe: no Node imports.
import { Parameter } from '../nn/parameter.js';
import { makeOptimizer } from './optimizers.js';
import type { TestFunction } from './functions2d.js';

/** The step budget on each function when --steps is not given: Rosenbrock's valley takes longer. */
export const DEFAULT_STEPS: Record<string, number> = { rosenbrock: 2000, quadratic: 500, beale: 500, saddle: 500 };

/** One optimizer's run on one function. */
export interface Trajectory {
  optimizer: string;
  lr: number;
  /** The point before each step, then the last point: steps + 1 entries (fewer if it diverged). */
  xs: number[];
  ys: number[];
  /** f − f* at each point. */
  losses: number[];
  /** The step at which the point left every sensible range (non-finite or > 10⁶ away), else null. */
  divergedAt: number | null;
}

/**
 * Runs `optimizer` (a name of the catalogue) for `steps` steps on `fn` from its start: a 2-element
 * Parameter whose grad is set from the analytic ∇f before each `optimizer.step()`, so what is
 * compared is the library's optimizers and kernels, in float32 as they train a network.
 */
export function trajectory(fn: TestFunction, optimizer: string, lr: number, steps: number): Trajectory {
  const p = new Parameter([fn.start[0], fn.start[1]], [2]);
  const opt = makeOptimizer(optimizer, [p], { lr });
  const out: Trajectory = { optimizer, lr, xs: [], ys: [], losses: [], divergedAt: null };
  try {
    for (let k = 0; ; k++) {
      const data = p.data;
      const x = data[0], y = data[1];
      const loss = fn.f(x, y) - fn.fMin;
      if (!Number.isFinite(loss) || Math.hypot(x, y) > 1e6) {
        out.divergedAt = k;
        break;
      }
      out.xs.push(x);
      out.ys.push(y);
      out.losses.push(loss);
      if (k === steps) break;
      p.grad.data.set(fn.grad(x, y));
      opt.step();
    }
  } finally {
    opt.dispose();
    p.grad.dispose();
    p.dispose();
  }
  return out;
}


import type { OptimKernels } from '../optim-kernels.js';
import type { HeapView } from './views.js';

// Plain-loop twins of the assembly/optim-*.ts kernels: the reference for every update rule (the
// formulas are stated in src/backend/optim-kernels.ts). Every float32 operation of the wasm
// kernels is one `r(…)` here, in the same order, so the results agree bit for bit (a float64 +,
// −, ×, ÷ or √ of float32 values rounded once to float32 is the float32 operation).

const r = Math.fround;

/** The gradient an update uses: ±g (+ wd·p). */
function grad(g: number, p: number, maximize: boolean, weightDecay: number): number {
  const d = maximize ? -g : g;
  return weightDecay !== 0 ? r(d + r(weightDecay * p)) : d;
}

/**
 * β·avg + (1−β)·x, each product and the sum rounded to float32 as the kernels round them (+ and ×
 * commute exactly, so this is also Yogi's and Lion's (1−β)·g + β·m).
 */
function firstMoment(avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return r(r(avg * beta) + r(oneMinusBeta * x));
}

/** β·avg + (1−β)·x², rounded as the kernels round it: ((1−β)·x)·x. */
function secondMoment(avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return r(r(avg * beta) + r(r(oneMinusBeta * x) * x));
}

/** ±1, and x itself for ±0 and NaN. */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/** The optimizer kernels of the js backend, bound to one heap view. */
export function optimKernels(h: HeapView): OptimKernels {
  return {
    sgdUpdate(p, g, buf, n, lr, weightDecay, momentum, oneMinusDampening, nesterov, maximize, first) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, B = buf >>> 2;
      lr = r(lr); weightDecay = r(weightDecay); momentum = r(momentum); oneMinusDampening = r(oneMinusDampening);
      for (let i = 0; i < n; i++) {
        let d = grad(f[G + i], f[P + i], maximize !== 0, weightDecay);
        if (buf !== 0) {
          const b = first !== 0 ? d : firstMoment(f[B + i], momentum, oneMinusDampening, d);
          f[B + i] = b;
          d = nesterov !== 0 ? r(d + r(momentum * b)) : b;
        }
        f[P + i] = f[P + i] - r(lr * d);
      }
    },

    emaMomentumUpdate(p, g, v, n, lr, beta, oneMinusBeta) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, V = v >>> 2;
      lr = r(lr); beta = r(beta); oneMinusBeta = r(oneMinusBeta);
      for (let i = 0; i < n; i++) {
        const vi = firstMoment(f[V + i], beta, oneMinusBeta, f[G + i]);
        f[V + i] = vi;
        f[P + i] = f[P + i] - r(lr * vi);
      }
    },

    adagradUpdate(p, g, sum, n, clr, weightDecay, eps) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, S = sum >>> 2;
      clr = r(clr); weightDecay = r(weightDecay); eps = r(eps);
      for (let i = 0; i < n; i++) {
        const d = grad(f[G + i], f[P + i], false, weightDecay);
        const s = r(f[S + i] + r(d * d));
        f[S + i] = s;
        f[P + i] = f[P + i] - r(clr * r(d / r(r(Math.sqrt(s)) + eps)));
      }
    },

    rmspropUpdate(p, g, squareAvg, gradAvg, buf, n, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum, centered) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, V = squareAvg >>> 2, A = gradAvg >>> 2, B = buf >>> 2;
      lr = r(lr); alpha = r(alpha); oneMinusAlpha = r(oneMinusAlpha); eps = r(eps);
      weightDecay = r(weightDecay); momentum = r(momentum);
      for (let i = 0; i < n; i++) {
        const d = grad(f[G + i], f[P + i], false, weightDecay);
        const v = secondMoment(f[V + i], alpha, oneMinusAlpha, d);
        f[V + i] = v;
        let avg: number;
        if (centered !== 0) {
          const a = firstMoment(f[A + i], alpha, oneMinusAlpha, d);
          f[A + i] = a;
          avg = r(r(Math.sqrt(r(v - r(a * a)))) + eps);
        } else {
          avg = r(r(Math.sqrt(v)) + eps);
        }
        let step = r(d / avg);
        if (momentum !== 0) {
          step = r(r(f[B + i] * momentum) + step);
          f[B + i] = step;
        }
        f[P + i] = f[P + i] - r(lr * step);
      }
    },

    adadeltaUpdate(p, g, squareAvg, accDelta, n, lr, rho, oneMinusRho, eps, weightDecay) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, V = squareAvg >>> 2, U = accDelta >>> 2;
      lr = r(lr); rho = r(rho); oneMinusRho = r(oneMinusRho); eps = r(eps); weightDecay = r(weightDecay);
      for (let i = 0; i < n; i++) {
        const d = grad(f[G + i], f[P + i], false, weightDecay);
        const v = secondMoment(f[V + i], rho, oneMinusRho, d);
        f[V + i] = v;
        const u = f[U + i];
        const delta = r(r(r(Math.sqrt(r(u + eps))) / r(Math.sqrt(r(v + eps)))) * d);
        f[U + i] = secondMoment(u, rho, oneMinusRho, delta);
        f[P + i] = f[P + i] - r(lr * delta);
      }
    },

    adamUpdate(p, g, m, v, vMax, n, stepSize, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay, decay, maximize, amsgrad) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2, X = vMax >>> 2;
      stepSize = r(stepSize); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1);
      beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2); weightDecay = r(weightDecay); decay = r(decay);
      for (let i = 0; i < n; i++) {
        const pi = decay !== 1 ? r(f[P + i] * decay) : f[P + i];
        const d = grad(f[G + i], pi, maximize !== 0, weightDecay);
        const mi = firstMoment(f[M + i], beta1, oneMinusBeta1, d);
        let vi = secondMoment(f[V + i], beta2, oneMinusBeta2, d);
        f[M + i] = mi;
        f[V + i] = vi;
        if (amsgrad !== 0) {
          vi = Math.max(f[X + i], vi);
          f[X + i] = vi;
        }
        f[P + i] = pi - r(stepSize * r(mi / r(r(Math.sqrt(vi)) + eps)));
      }
    },

    adamaxUpdate(p, g, m, u, n, clr, eps, beta1, oneMinusBeta1, beta2, weightDecay) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, U = u >>> 2;
      clr = r(clr); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1); beta2 = r(beta2);
      weightDecay = r(weightDecay);
      for (let i = 0; i < n; i++) {
        const d = grad(f[G + i], f[P + i], false, weightDecay);
        const mi = firstMoment(f[M + i], beta1, oneMinusBeta1, d);
        const ui = Math.max(r(f[U + i] * beta2), r(Math.abs(d) + eps));
        f[M + i] = mi;
        f[U + i] = ui;
        f[P + i] = f[P + i] - r(clr * r(mi / ui));
      }
    },

    nadamUpdate(p, g, m, v, n, gradCoef, avgCoef, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2;
      gradCoef = r(gradCoef); avgCoef = r(avgCoef); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1);
      beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2); weightDecay = r(weightDecay);
      for (let i = 0; i < n; i++) {
        const d = grad(f[G + i], f[P + i], false, weightDecay);
        const mi = firstMoment(f[M + i], beta1, oneMinusBeta1, d);
        const vi = secondMoment(f[V + i], beta2, oneMinusBeta2, d);
        f[M + i] = mi;
        f[V + i] = vi;
        const num = r(r(gradCoef * d) + r(avgCoef * mi));
        f[P + i] = f[P + i] - r(num / r(r(Math.sqrt(vi)) + eps));
      }
    },

    radamUpdate(p, g, m, v, n, stepSize, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay, rectified) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2;
      stepSize = r(stepSize); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1);
      beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2); weightDecay = r(weightDecay);
      for (let i = 0; i < n; i++) {
        const d = grad(f[G + i], f[P + i], false, weightDecay);
        const mi = firstMoment(f[M + i], beta1, oneMinusBeta1, d);
        const vi = secondMoment(f[V + i], beta2, oneMinusBeta2, d);
        f[M + i] = mi;
        f[V + i] = vi;
        const step = rectified !== 0 ? r(mi / r(r(Math.sqrt(vi)) + eps)) : mi;
        f[P + i] = f[P + i] - r(stepSize * step);
      }
    },

    yogiUpdate(p, g, m, v, n, stepSize, eps, beta1, oneMinusBeta1, oneMinusBeta2) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2;
      stepSize = r(stepSize); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1); oneMinusBeta2 = r(oneMinusBeta2);
      for (let i = 0; i < n; i++) {
        const gi = f[G + i];
        const mi = firstMoment(f[M + i], beta1, oneMinusBeta1, gi);
        const g2 = r(gi * gi);
        const vi = r(f[V + i] - r(r(oneMinusBeta2 * sign(r(f[V + i] - g2))) * g2));
        f[M + i] = mi;
        f[V + i] = vi;
        f[P + i] = f[P + i] - r(stepSize * r(mi / r(r(Math.sqrt(vi)) + eps)));
      }
    },

    lionUpdate(p, g, m, n, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay) {
      const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2;
      lr = r(lr); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1); beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2);
      weightDecay = r(weightDecay);
      for (let i = 0; i < n; i++) {
        const gi = f[G + i], mi = f[M + i], pi = f[P + i];
        let u = sign(firstMoment(mi, beta1, oneMinusBeta1, gi));
        if (weightDecay !== 0) u = r(u + r(weightDecay * pi));
        f[P + i] = pi - r(lr * u);
        f[M + i] = firstMoment(mi, beta2, oneMinusBeta2, gi);
      }
    },

    normPower(x, n, normType) {
      const f = h.f32, X = x >>> 2;
      if (normType === Infinity) {
        let m = 0;
        for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(f[X + i]));
        return m;
      }
      const lanes = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) {
        const a = Math.abs(f[X + i]);
        lanes[i & 3] += normType === 2 ? a * a : normType === 1 ? a : Math.pow(a, normType);
      }
      return (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    },

    clampAbs(x, n, limit) {
      const f = h.f32, X = x >>> 2, hi = r(limit), lo = -hi;
      for (let i = 0; i < n; i++) f[X + i] = Math.min(Math.max(f[X + i], lo), hi);
    },
  };
}

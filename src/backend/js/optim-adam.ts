import { withTwin } from '../kernel-spec.js';
import { firstMoment, grad, r, sign, updateMoments } from './optim-step.js';

// The Adam family's kernels (Adam and AdamW, Adamax, NAdam, RAdam, Yogi), declared with their
// js twins as in optim.ts, whose header states the conventions they share.

/**
 * Adam / AdamW: p ← decay·p first (AdamW's decoupled decay, 1 for Adam); m ← β1·m + (1−β1)·d;
 * v ← β2·v + (1−β2)·d²; amsgrad: vMax ← max(vMax, v), used in place of v;
 * p ← p − stepSize·m/(√v + eps). The host folds the bias corrections in:
 * stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps = eps·√(1−β2ᵗ) (torch divides √v by √(1−β2ᵗ) instead).
 */
export const adamUpdate = withTwin(
  { args: 'p:range g:range m:range v:range vMax:range n:count stepSize eps beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay decay maximize amsgrad' },
  (h, p, g, m, v, vMax, n, stepSize, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay, decay, maximize, amsgrad) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2, X = vMax >>> 2;
    stepSize = r(stepSize); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1);
    beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2); weightDecay = r(weightDecay); decay = r(decay);
    for (let i = 0; i < n; i++) {
      const pi = decay !== 1 ? r(f[P + i] * decay) : f[P + i];
      const d = grad(f[G + i], pi, maximize !== 0, weightDecay);
      updateMoments(f, M + i, V + i, d, beta1, oneMinusBeta1, beta2, oneMinusBeta2);
      let vi = f[V + i];
      if (amsgrad !== 0) {
        vi = Math.max(f[X + i], vi);
        f[X + i] = vi;
      }
      f[P + i] = pi - r(stepSize * r(f[M + i] / r(r(Math.sqrt(vi)) + eps)));
    }
  },
);

/** Adamax: m ← β1·m + (1−β1)·d; u ← max(β2·u, |d| + eps); p ← p − clr·m/u, clr = lr/(1−β1ᵗ). */
export const adamaxUpdate = withTwin(
  { args: 'p:range g:range m:range u:range n:count clr eps beta1 oneMinusBeta1 beta2 weightDecay' },
  (h, p, g, m, u, n, clr, eps, beta1, oneMinusBeta1, beta2, weightDecay) => {
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
);

/**
 * NAdam: m, v as Adam; p ← p − (gradCoef·d + avgCoef·m)/(√v + eps), with the host's
 * gradCoef = lr(1−μt)/(1−Πt)·√(1−β2ᵗ), avgCoef = lr·μt+1/(1−Πt·μt+1)·√(1−β2ᵗ) and
 * eps = eps·√(1−β2ᵗ) (torch applies the two terms as two divisions by √(v/(1−β2ᵗ)) + eps).
 */
export const nadamUpdate = withTwin(
  { args: 'p:range g:range m:range v:range n:count gradCoef avgCoef eps beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay' },
  (h, p, g, m, v, n, gradCoef, avgCoef, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2;
    gradCoef = r(gradCoef); avgCoef = r(avgCoef); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1);
    beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2); weightDecay = r(weightDecay);
    for (let i = 0; i < n; i++) {
      const d = grad(f[G + i], f[P + i], false, weightDecay);
      updateMoments(f, M + i, V + i, d, beta1, oneMinusBeta1, beta2, oneMinusBeta2);
      const mi = f[M + i], vi = f[V + i];
      const num = r(r(gradCoef * d) + r(avgCoef * mi));
      f[P + i] = f[P + i] - r(num / r(r(Math.sqrt(vi)) + eps));
    }
  },
);

/**
 * RAdam: m, v as Adam; rectified: p ← p − stepSize·m/(√v + eps) with the host's
 * stepSize = lr·r·√(1−β2ᵗ)/(1−β1ᵗ); otherwise p ← p − stepSize·m with stepSize = lr/(1−β1ᵗ).
 */
export const radamUpdate = withTwin(
  { args: 'p:range g:range m:range v:range n:count stepSize eps beta1 oneMinusBeta1 beta2 oneMinusBeta2 weightDecay rectified' },
  (h, p, g, m, v, n, stepSize, eps, beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay, rectified) => {
    const f = h.f32, P = p >>> 2, G = g >>> 2, M = m >>> 2, V = v >>> 2;
    stepSize = r(stepSize); eps = r(eps); beta1 = r(beta1); oneMinusBeta1 = r(oneMinusBeta1);
    beta2 = r(beta2); oneMinusBeta2 = r(oneMinusBeta2); weightDecay = r(weightDecay);
    for (let i = 0; i < n; i++) {
      const d = grad(f[G + i], f[P + i], false, weightDecay);
      updateMoments(f, M + i, V + i, d, beta1, oneMinusBeta1, beta2, oneMinusBeta2);
      const mi = f[M + i], vi = f[V + i];
      const step = rectified !== 0 ? r(mi / r(r(Math.sqrt(vi)) + eps)) : mi;
      f[P + i] = f[P + i] - r(stepSize * step);
    }
  },
);

/**
 * Yogi: m ← (1−β1)·g + β1·m; v ← v − ((1−β2)·sign(v − g²))·g²; p ← p − stepSize·m/(√v + eps),
 * with the host's stepSize = lr·√(1−β2ᵗ)/(1−β1ᵗ) and eps = eps·√(1−β2ᵗ). sign(0) = 0.
 */
export const yogiUpdate = withTwin(
  { args: 'p:range g:range m:range v:range n:count stepSize eps beta1 oneMinusBeta1 oneMinusBeta2' },
  (h, p, g, m, v, n, stepSize, eps, beta1, oneMinusBeta1, oneMinusBeta2) => {
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
);

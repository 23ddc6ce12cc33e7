// Anomaly mode, as torch.autograd.detect_anomaly / set_detect_anomaly: while it is on, every op's
// output (forward) and every gradient an op's backward writes are scanned for NaN and Inf, and the
// first one found stops the computation with a NonFiniteError naming the op and its shapes. Off,
// it costs one boolean read per op (`anomalyMode.on` in record() and in the backward loop).
import { NonFiniteError, OptionError, formatShape } from '../core/errors.js';
import { render } from '../core/validate.js';
import type { Tensor } from '../core/tensor.js';
import type { GradFn } from './node.js';

/** Read by record() and runBackward(); written only through setDetectAnomaly / detectAnomaly. */
export const anomalyMode = { on: false };

/** Turns anomaly mode on or off for everything that follows (torch.autograd.set_detect_anomaly). */
export function setDetectAnomaly(on: boolean): void {
  if (typeof on !== 'boolean') throw new OptionError(`setDetectAnomaly: on must be true or false, got ${render(on)}`);
  anomalyMode.on = on;
}

export function isAnomalyEnabled(): boolean {
  return anomalyMode.on;
}

/**
 * Runs `fn` with anomaly mode on and restores the previous mode afterwards — when `fn` returns a
 * promise (a `fit` call), once it settles. Returns what `fn` returns.
 */
export function detectAnomaly<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw new OptionError(`detectAnomaly: fn must be a function, got ${render(fn)}`);
  const previous = anomalyMode.on;
  anomalyMode.on = true;
  let result: R;
  try {
    result = fn();
  } catch (error) {
    anomalyMode.on = previous;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => { anomalyMode.on = previous; }) as R;
  }
  anomalyMode.on = previous;
  return result;
}

/** Called by record() with an op's fresh output. */
export function checkForward(out: Tensor, name: string, inputs: readonly Tensor[]): void {
  const bad = firstNonFinite(out);
  if (bad < 0) return;
  const poisoned = inputs.map((t, i) => [t, i] as const).filter(([t]) => firstNonFinite(t) >= 0);
  const cause = poisoned.length === 0
    ? 'from finite inputs'
    : `because its input ${poisoned.map(([t, i]) => `${i} ${formatShape(t.shape)}`).join(' and ')} already held NaN or Inf ` +
      '(an input of the model, or a tensor filled outside any op)';
  throw new NonFiniteError(
    `detectAnomaly: the forward of ${name} produced ${valueAt(out, bad)} at element ${bad} of its output ` +
      `${formatShape(out.shape)} (inputs ${shapesOf(inputs)}) ${cause}`,
  );
}

/**
 * Called by the backward loop after `fn.backward(gradOut, …)`: `gradOf(t)` is the gradient held
 * for input t so far. The incoming gradient was checked by the op that produced it, so a
 * non-finite input gradient here was made by this op.
 */
export function checkBackward(fn: GradFn, gradOut: Tensor, gradOf: (t: Tensor) => Tensor | null | undefined): void {
  fn.inputs.forEach((input, i) => {
    const g = gradOf(input);
    if (!g) return;
    const bad = firstNonFinite(g);
    if (bad < 0) return;
    throw new NonFiniteError(
      `detectAnomaly: the backward of ${fn.name} produced ${valueAt(g, bad)} at element ${bad} of the gradient of its ` +
        `input ${i} ${formatShape(input.shape)} (inputs ${shapesOf(fn.inputs)}, output gradient ` +
        `${formatShape(gradOut.shape)}${firstNonFinite(gradOut) >= 0 ? ', itself not finite' : ', finite'})`,
    );
  });
}

/** Checks the gradient backward() starts from (an explicit `y.backward(grad)` may hold a NaN); frees it on failure. */
export function checkSeed(seed: Tensor): void {
  const bad = firstNonFinite(seed);
  if (bad >= 0) {
    const message = `detectAnomaly: the gradient given to backward() holds ${valueAt(seed, bad)} at element ${bad} of ${formatShape(seed.shape)}`;
    seed.dispose();
    throw new NonFiniteError(message);
  }
}

/** Index of the first NaN or ±Inf, or −1. A plain scan: exact, and anomaly mode is for debugging. */
function firstNonFinite(t: Tensor): number {
  const values = t.data;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

function valueAt(t: Tensor, i: number): string {
  return String(t.data[i]);
}

function shapesOf(ts: readonly Tensor[]): string {
  return ts.map((t) => formatShape(t.shape)).join(', ');
}

// Whether operations record a graph for backward (torch.no_grad's switch).
import { FUNCTION, checkValue, required } from '../core/validate.js';

let enabled = true;
const FN = required(FUNCTION); // built once: every backward() runs inside noGrad

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording gradients (evaluation, weight updates by hand). */
export function noGrad<R>(fn: () => R): R {
  checkValue('noGrad', 'fn', fn, FN);
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

import type { Tensor } from '../core/tensor.js';
import type { GradSink } from '../core/grad-fn.js';
import { isGradEnabled } from './grad-mode.js';
import { anomalyMode, checkForward } from './anomaly.js';
// Every op that records a graph imports this module, so `tensor.backward()` is attached wherever a
// graph can exist (tensor-backward.ts attaches it to the class in core/).
import './tensor-backward.js';

// The shapes of a recorded op live in core/grad-fn.ts, so that Tensor can type its `gradFn`
// without importing up into autograd/.
export type { GradFn, GradSink } from '../core/grad-fn.js';

/**
 * Attaches a backward to `out` when grad mode is on and any input requires grad. `saved` lists
 * the tensors the backward will read (their versions are checked then). Returns `out`.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  saved: readonly Tensor[],
  backward: (gradOut: Tensor, sink: GradSink) => void,
): Tensor {
  if (anomalyMode.on) checkForward(out, name, inputs);
  if (!isGradEnabled() || !anyRequiresGrad(inputs)) return out;
  out.requiresGrad = true;
  out.gradFn = {
    name, inputs, inputVersions: inputs.map((t) => t.version), saved,
    savedVersions: saved.map((t) => t.version), backward, released: false,
  };
  return out;
}

function anyRequiresGrad(inputs: readonly Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) return true;
  return false;
}

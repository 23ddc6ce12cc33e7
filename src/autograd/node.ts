import type { Tensor } from '../core/tensor.js';
import { isGradEnabled } from './grad-mode.js';
import { anomalyMode, checkForward } from './anomaly.js';
// Every op that records a graph imports this module, so `tensor.backward()` is attached wherever a
// graph can exist (tensor-backward.ts attaches it to the class in core/).
import './tensor-backward.js';

/** Where a backward function sends the gradient of one of its inputs. */
export interface GradSink {
  /** Whether `t` takes a gradient at all (skip work for inputs that do not). */
  wants(t: Tensor): boolean;
  /**
   * Adds a contribution to t's gradient: `write(dst)` must overwrite the `t.size` floats at dst;
   * the sink sums it with any earlier contribution.
   */
  write(t: Tensor, write: (dst: number) => void): void;
  /**
   * For kernels that can accumulate themselves (gemm's β, sumRows' accumulate flag):
   * `write(dst, add)` overwrites dst when add is false and adds to it when true.
   */
  writeOrAdd(t: Tensor, write: (dst: number, add: boolean) => void): void;
}

/** How a tensor was computed: its inputs and the chain rule for them, written beside the forward. */
export interface GradFn {
  /** The operation or layer, for error messages ("Linear(784→16)", "mul"). */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** The inputs' versions when recorded: a module that reused an input's buffer since is detected. */
  readonly inputVersions: readonly number[];
  /** Tensors the backward reads, with their versions when recorded (a later in-place write is an error). */
  readonly saved: readonly Tensor[];
  readonly savedVersions: readonly number[];
  backward(gradOut: Tensor, sink: GradSink): void;
  /** Set once backward has run without retainGraph. */
  released: boolean;
}

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
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = {
    name, inputs, inputVersions: inputs.map((t) => t.version), saved,
    savedVersions: saved.map((t) => t.version), backward, released: false,
  };
  return out;
}

import type { Tensor } from './tensor.js';

// How a tensor was computed, as autograd/ records it (autograd/node.ts) and Tensor carries it
// (`gradFn`): declared here, below both, so core/ never imports from autograd/.

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

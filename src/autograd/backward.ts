import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { keep } from '../core/scope.js';
import { sameShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import type { Backend } from '../backend/backend.js';
import type { GradSink } from './node.js';
import { noGrad } from './grad-mode.js';
import { anomalyMode, checkBackward, checkSeed } from './anomaly.js';

// Reverse-mode differentiation over the recorded graph. Gradients of intermediate tensors are
// temporary heap blocks, freed as soon as their node has propagated them; leaves accumulate into
// their `grad` (a parameter's grad is a view into its model's contiguous gradient block).

function newBuffer(shape: readonly number[]): Tensor {
  return keep(new Tensor(shape));
}

export function runBackward(root: Tensor, grad: Tensor | undefined, retainGraph: boolean): void {
  if (!root.requiresGrad) {
    throw new OptionError(
      `backward: the tensor of shape ${formatShape(root.shape)} does not require grad ` +
        '(no input of the computation had requiresGrad, or it was computed inside noGrad)',
    );
  }
  if (grad === undefined && root.size !== 1) {
    throw new ShapeError(
      `backward: a gradient argument is needed for a non-scalar tensor of shape ${formatShape(root.shape)} ` +
        '(backward() without arguments is only for one-element tensors such as a loss)',
    );
  }
  if (grad !== undefined && !sameShape(grad.shape, root.shape)) {
    throw new ShapeError(`backward: gradient shape ${formatShape(grad.shape)} differs from the tensor's ${formatShape(root.shape)}`);
  }
  const order = topologicalOrder(root);
  const backend = requireBackend();
  const sink = new Accumulator(backend);
  const grads = sink.grads;

  const seed = newBuffer(root.shape);
  if (grad === undefined) backend.fill(seed.offset, 1, 1);
  else backend.copy(grad.offset, seed.offset, root.size);
  if (anomalyMode.on) checkSeed(seed);
  if (root.isLeaf) {
    sink.addInto(root, (dst, add) => (add ? backend.add(dst, seed.offset, dst, root.size) : backend.copy(seed.offset, dst, root.size)), true);
    seed.dispose();
    return;
  }
  grads.set(root, seed);

  try {
    noGrad(() => {
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i];
        const fn = t.gradFn!;
        const g = grads.get(t);
        if (g === undefined) continue;
        checkSaved(fn.name, fn.saved, fn.savedVersions);
        fn.backward(g, sink);
        if (anomalyMode.on) checkBackward(fn, g, (x) => (x.isLeaf ? x.grad : grads.get(x)));
        grads.delete(t);
        g.dispose();
      }
    });
  } finally {
    for (const g of grads.values()) g.dispose();
    if (!retainGraph) {
      for (const t of order) {
        const fn = t.gradFn!;
        fn.released = true;
        (fn as { saved: readonly Tensor[] }).saved = [];
      }
    }
  }
}

/**
 * Where the backward functions of one backward() send their gradients: a leaf's into its `grad`,
 * any other tensor's into a temporary buffer in `grads` until its own node has run. A class, not
 * closures made on every call: a training step runs one backward().
 */
class Accumulator implements GradSink {
  readonly grads = new Map<Tensor, Tensor>();

  constructor(private readonly backend: Backend) {}

  wants(t: Tensor): boolean {
    return t.requiresGrad;
  }

  write(t: Tensor, write: (dst: number) => void): void {
    if (t.requiresGrad) this.addInto(t, write, false);
  }

  writeOrAdd(t: Tensor, write: (dst: number, add: boolean) => void): void {
    if (t.requiresGrad) this.addInto(t, write, true);
  }

  /** `write` overwrites when it is the first contribution; adds itself when `canAdd`, else through a temporary. */
  addInto(t: Tensor, write: (dst: number, add: boolean) => void, canAdd: boolean): void {
    if (t.isLeaf) {
      if (t.grad === null) {
        t.grad = newBuffer(t.shape);
        write(t.grad.offset, false);
        return;
      }
      // Zeros pending since zeroGrad (Tensor.zeroLazily): this contribution overwrites them.
      if (t.grad.takePendingZeros()) {
        write(t.grad.offset, false);
        return;
      }
      this.addContribution(t.grad, write, canAdd);
      return;
    }
    const existing = this.grads.get(t);
    if (existing === undefined) {
      const g = newBuffer(t.shape);
      this.grads.set(t, g);
      write(g.offset, false);
      return;
    }
    this.addContribution(existing, write, canAdd);
  }

  private addContribution(dst: Tensor, write: (dst: number, add: boolean) => void, canAdd: boolean): void {
    if (canAdd) {
      write(dst.offset, true);
      return;
    }
    const tmp = newBuffer(dst.shape);
    try {
      write(tmp.offset, false);
      this.backend.add(dst.offset, tmp.offset, dst.offset, dst.size);
    } finally {
      tmp.dispose();
    }
  }
}

/** Non-leaf tensors reachable from `root`, each after all of its inputs (iterative DFS). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  if (root.isLeaf) return order;
  const visited = new Set<Tensor>([root]);
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const fn = top.t.gradFn!;
    if (fn.released) {
      throw new OptionError(
        `backward: the graph through ${fn.name} was already freed by an earlier backward(); ` +
          'call backward(grad, { retainGraph: true }) the first time to run it twice',
      );
    }
    if (top.next < fn.inputs.length) {
      const index = top.next++;
      const input = fn.inputs[index];
      if (input.version !== fn.inputVersions[index]) throwOverwritten(fn.name, input);
      if (!input.isLeaf && input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push({ t: input, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

function checkSaved(name: string, saved: readonly Tensor[], versions: readonly number[]): void {
  for (let i = 0; i < saved.length; i++) if (saved[i].version !== versions[i]) throwOverwritten(name, saved[i]);
}

function throwOverwritten(name: string, t: Tensor): never {
  throw new OptionError(
    `backward: a tensor of shape ${formatShape(t.shape)} that ${name} needs was overwritten after it was ` +
      'recorded (a module reuses its output buffer on every forward): call backward() before the next ' +
      'forward of the same model, or run evaluation inside noGrad() after the backward',
  );
}

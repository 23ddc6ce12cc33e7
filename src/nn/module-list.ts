import { DisposedError, OptionError } from '../core/errors.js';
import { arrayOf, checkValue, instanceOf, int, required } from '../core/validate.js';
import { Module } from './module.js';

const MODULE = required(instanceOf(Module));
const MODULES = required(arrayOf(instanceOf(Module)));

/**
 * Modules held in order and registered as the children `0`, `1`, …, as torch.nn.ModuleList: their
 * parameters are the owner's (under `field.0.weight`, torch's names), train()/eval() reach them,
 * and stateDict() saves them. It has no forward of its own: the owner calls its modules.
 *
 * ```ts
 * class Tower extends Module {
 *   readonly blocks = new ModuleList([new Linear(8, 8), new Linear(8, 8)]);
 *   forward(x: Tensor): Tensor {
 *     for (const block of this.blocks) x = relu(block.forward(x));
 *     return x;
 *   }
 * }
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  constructor(modules: readonly M[] = []) {
    super();
    checkValue('ModuleList', 'modules', modules, MODULES);
    for (const m of modules) this.append(m);
  }

  /** How many modules it holds. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at `index` (negative counts from the end, as Python's list). */
  at(index: number): M {
    const n = this.length;
    checkValue('ModuleList.at', 'index', index, required(int()));
    if (index < -n || index >= n) throw new OptionError(`ModuleList.at: index ${index} is out of range for ${n} module${n === 1 ? '' : 's'}`);
    return (this as unknown as Record<string, M>)[String(index < 0 ? index + n : index)];
  }

  /** Adds `module` at the end, as child `length`. Returns this. */
  append(module: M): this {
    checkValue('ModuleList.append', 'module', module, MODULE);
    const held = [...this].indexOf(module);
    if (held >= 0) {
      throw new OptionError(`ModuleList.append: ${module.describe()} is already held at index ${held}; a module can appear once (create another, or call the one you hold twice in forward)`);
    }
    for (const [name, p] of module.namedParameters()) {
      if (p.isDisposed) throw new DisposedError(`ModuleList.append: ${module.describe()} was disposed: its ${name} is freed`);
    }
    (this as unknown as Record<string, M>)[String(this.length)] = module;
    return this;
  }

  /** Appends each of `modules`. Returns this. */
  extend(modules: readonly M[]): this {
    checkValue('ModuleList.extend', 'modules', modules, MODULES);
    for (const m of modules) this.append(m);
    return this;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (const [, child] of this.namedChildren()) yield child as M;
  }

  override describe(): string {
    return `ModuleList(${this.length} module${this.length === 1 ? '' : 's'})`;
  }

  /** A ModuleList is not a layer: calling it is an error that says what to do instead. */
  forward(): never {
    throw new OptionError(`${this.describe()}.forward: a ModuleList only holds modules; call them in your own forward (for (const m of list) x = m.forward(x)), or chain them with Sequential`);
  }
}

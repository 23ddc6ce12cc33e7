import { DisposedError, OptionError } from '../core/errors.js';
import { STRING, arrayOf, checkValue, instanceOf, int, render, required } from '../core/validate.js';
import { Module } from './module.js';
import { checkChildName, isPlainObject } from './child-names.js';

const MODULE = required(instanceOf(Module));
const MODULES = required(arrayOf(instanceOf(Module)));

/** A module joins a container once, alive: held twice, its parameters would be stepped twice. */
function checkHeldOnce(where: string, held: readonly [string, Module][], module: Module): void {
  const same = held.find(([, m]) => m === module);
  if (same) {
    throw new OptionError(`${where}: ${module.describe()} is already held at ${same[0]}; a module can appear once (create another, or call the one you hold twice in forward)`);
  }
  for (const [name, p] of module.namedParameters()) {
    if (p.isDisposed) throw new DisposedError(`${where}: ${module.describe()} was disposed: its ${name} is freed`);
  }
}

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
    checkHeldOnce('ModuleList.append', this.namedChildren(), module);
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

/**
 * Modules held by name and registered as children of those names, as torch.nn.ModuleDict: their
 * parameters are the owner's (`heads.digit.weight`), in the order the names were first given.
 * Names follow torch's rule (non-empty, no '.') and are not numbers (JavaScript would reorder
 * them) nor the module's own fields and methods. No forward: the owner calls its modules.
 */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules: Readonly<Record<string, M>> = {}) {
    super();
    if (!isPlainObject(modules)) {
      throw new OptionError(`ModuleDict: modules must be an object of named modules ({ digit: …, parity: … }), got ${render(modules)}`);
    }
    for (const [name, m] of Object.entries(modules)) this.set(name, m);
  }

  /** How many modules it holds. */
  get size(): number {
    return this.namedChildren().length;
  }

  /** Whether a module is held under `name`. */
  has(name: string): boolean {
    return this.namedChildren().some(([key]) => key === name);
  }

  /** The module held under `name`. */
  get(name: string): M {
    const found = this.namedChildren().find(([key]) => key === name);
    if (!found) throw new OptionError(`ModuleDict.get: no module named ${render(name)}; it holds ${this.keys().join(', ') || 'none'}`);
    return found[1] as M;
  }

  /** Holds `module` under `name` (replacing the one there, in its place, as torch). Returns this. */
  set(name: string, module: M): this {
    checkValue('ModuleDict.set', 'name', name, required(STRING));
    checkChildName('ModuleDict.set', name, ModuleDict.prototype);
    checkValue('ModuleDict.set', 'module', module, MODULE);
    checkHeldOnce('ModuleDict.set', this.namedChildren().filter(([key]) => key !== name), module);
    (this as unknown as Record<string, M>)[name] = module;
    return this;
  }

  keys(): string[] {
    return this.namedChildren().map(([key]) => key);
  }

  values(): M[] {
    return this.namedChildren().map(([, m]) => m as M);
  }

  entries(): [string, M][] {
    return this.namedChildren() as [string, M][];
  }

  override describe(): string {
    return `ModuleDict(${this.keys().join(', ')})`;
  }

  /** A ModuleDict is not a layer: calling it is an error that says what to do instead. */
  forward(): never {
    throw new OptionError(`${this.describe()}.forward: a ModuleDict only holds modules; call them in your own forward (this.heads.get('digit').forward(x))`);
  }
}

import { DisposedError, OptionError, ShapeError, formatShape } from '../core/errors.js';
import { BOOLEAN, checkOptions, checkValue, render } from '../core/validate.js';
import { keep } from '../core/scope.js';
import { sameShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { Parameter } from './parameter.js';

/** Arrays that list a module's children which are fields too (Sequential's `layers`). */
const childViews = new WeakSet<readonly unknown[]>();

/** A saved parameter: its shape and a copy of its values (JSON- and safetensors-friendly). */
export interface StateEntry {
  shape: number[];
  data: Float32Array;
  /** Saved as int64 (torch's dtype for BatchNorm's num_batches_tracked); absent: float32. */
  dtype?: 'int64';
}
export type StateDict = Record<string, StateEntry>;

/**
 * The base of every layer, loss and model, as torch.nn.Module: parameters and submodules are
 * found by walking the instance's own fields in the order they were assigned (so `weight` before
 * `bias`, and a Sequential's children `0`, `1`, …), which gives torch's state_dict names.
 *
 * A module's outputs live in buffers it owns and reuses on the next forward with the same shape:
 * a training step allocates nothing after the first. An output is therefore valid until the
 * module's next forward — `clone()` it to keep it longer.
 */
export abstract class Module {
  training = true;
  private readonly outputs = new Map<string, Tensor>();
  /**
   * State that is saved but not learned (BatchNorm's running statistics), under torch's names
   * (`running_mean`): in stateDict() and checkpoints after the parameters, never in parameters().
   */
  private readonly stateBuffers: [string, Tensor, StateEntry['dtype']][] = [];
  /** Set by dispose(): every later forward throws before it allocates (buffer() is where it would). */
  private disposed = false;
  /** fusedName's last answer and the activation it was for. */
  private fused: { activation: Module | null; name: string } | null = null;

  abstract forward(...inputs: unknown[]): Tensor;

  /** The layer's name in messages and summaries, e.g. `Linear(784→16)`. */
  describe(): string {
    return this.constructor.name;
  }

  /** Direct submodules with their names, in field order. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /**
   * Every parameter with its torch-style dotted name (`0.weight`, `encoder.2.bias`). A field that
   * is an array of modules or parameters not registered otherwise is an OptionError here, where
   * torch would silently miss a plain list: a ModuleList registers them.
   */
  namedParameters(prefix = ''): [string, Parameter][] {
    return this.walkParameters(prefix, true);
  }

  private walkParameters(prefix: string, strict: boolean): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Parameter) out.push([prefix + name, value]);
      else if (value instanceof Module) out.push(...value.walkParameters(`${prefix}${name}.`, strict));
      else if (strict && Array.isArray(value) && !childViews.has(value)) this.checkArrayField(name, value);
    }
    return out;
  }

  /** An array field may hold modules and parameters only when each is also a field of its own. */
  private checkArrayField(field: string, values: readonly unknown[]): void {
    const held = values.filter((v) => v instanceof Module || v instanceof Parameter);
    if (held.length === 0) return;
    const fields = new Set(Object.values(this));
    const loose = held.filter((v) => !fields.has(v));
    if (loose.length === 0) return;
    const what = loose.every((v) => v instanceof Module) ? `${loose.length} module${loose.length > 1 ? 's' : ''}` : `${loose.length} modules or parameters`;
    throw new OptionError(
      `${this.describe()}: field ${field} is an array holding ${what} that nothing registers, so parameters(), stateDict(), train() ` +
        `and an optimizer would miss them (torch misses a plain list the same way, silently); hold modules in a ModuleList, ` +
        `torch's nn.ModuleList: this.${field} = new ModuleList([...]), or make each a field of its own`,
    );
  }

  /** Marks `array` as a view of this module's children (Sequential's `layers`), not a field that needs registering. */
  protected static childrenView<T extends readonly Module[]>(array: T): T {
    childViews.add(array);
    return array;
  }

  /** Every registered buffer with its torch-style dotted name (`1.running_mean`) and saved dtype. */
  namedBuffers(prefix = ''): [string, Tensor, StateEntry['dtype']][] {
    const out: [string, Tensor, StateEntry['dtype']][] = this.stateBuffers.map(([name, t, dtype]) => [prefix + name, t, dtype]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** Registers a buffer the module owns (freed by dispose()); int64 buffers are saved as such. */
  protected registerBuffer(name: string, t: Tensor, dtype?: 'int64'): void {
    this.stateBuffers.push([name, keep(t), dtype]);
  }

  /** Parameters, then buffers: everything stateDict() saves and loadStateDict() restores. */
  private namedState(): [string, Tensor, StateEntry['dtype']][] {
    return [...this.namedParameters().map(([n, p]): [string, Tensor, undefined] => [n, p, undefined]), ...this.namedBuffers()];
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Training mode (Dropout active) for this module and every submodule. Returns this. */
  train(mode = true): this {
    checkValue(`${this.describe()}.train`, 'mode', mode, BOOLEAN);
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Evaluation mode (Dropout is the identity). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Sets every parameter's gradient to zero: lazily, as Optimizer.zeroGrad (the zeros are written
   * when something reads them, unless backward overwrites them first).
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad.zeroLazily();
  }

  /** Copies of every parameter and buffer, by torch name. */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, p, dtype] of this.namedState()) dict[name] = { shape: [...p.shape], data: p.toArray(), ...(dtype ? { dtype } : {}) };
    return dict;
  }

  /**
   * Loads parameters and buffers saved by `stateDict()` (or converted from torch). Everything is validated —
   * names, shapes, sizes, finiteness — before any parameter is written, so a bad dict changes nothing.
   */
  loadStateDict(dict: StateDict, options: { strict?: boolean } = {}): void {
    if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
      throw new OptionError(`loadStateDict: dict must be an object of { shape, data } by parameter name, as stateDict() returns, got ${render(dict)}`);
    }
    const strict = checkOptions<{ strict: boolean }>('loadStateDict', options, { strict: BOOLEAN }).strict ?? true;
    const params = this.namedState();
    const known = new Set(params.map(([n]) => n));
    const missing = params.filter(([n]) => !(n in dict)).map(([n]) => n);
    const unexpected = Object.keys(dict).filter((n) => !known.has(n));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new OptionError(
        `loadStateDict: ${missing.length ? `missing keys ${missing.join(', ')}` : ''}` +
          `${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys ${unexpected.join(', ')}` : ''}`,
      );
    }
    for (const [name, p, dtype] of params) {
      if (!(name in dict)) continue;
      const entry = dict[name];
      if (entry === null || typeof entry !== 'object') {
        throw new OptionError(`loadStateDict: ${name} must be { shape, data }, got ${render(entry)}`);
      }
      if (!Array.isArray(entry.shape) || !sameShape(entry.shape, p.shape)) {
        throw new ShapeError(`loadStateDict: ${name} has shape ${formatShape(entry.shape ?? [])}, the model expects ${formatShape(p.shape)}`);
      }
      if (!entry.data || entry.data.length !== p.size) {
        throw new ShapeError(`loadStateDict: ${name} holds ${entry.data?.length ?? 0} values, expected ${p.size}`);
      }
      for (let i = 0; i < entry.data.length; i++) {
        if (!Number.isFinite(entry.data[i])) throw new OptionError(`loadStateDict: ${name}[${i}] is ${entry.data[i]}, expected a finite number`);
        if (dtype === 'int64' && !Number.isInteger(entry.data[i])) throw new OptionError(`loadStateDict: ${name}[${i}] is ${entry.data[i]}, expected an integer (an int64 buffer)`);
      }
    }
    for (const [name, p] of params) if (name in dict) p.data.set(dict[name].data);
  }

  /** A table of layers, output shapes are not tracked; parameter counts per layer and in total. */
  summary(): string {
    const rows: [string, string, string][] = [];
    const walk = (m: Module, name: string) => {
      const own = Object.values(m).filter((v): v is Parameter => v instanceof Parameter);
      const children = m.namedChildren();
      if (own.length > 0 || children.length === 0) {
        rows.push([name || '(root)', m.describe(), String(own.reduce((n, p) => n + p.size, 0))]);
      }
      for (const [childName, child] of children) walk(child, name ? `${name}.${childName}` : childName);
    };
    walk(this, '');
    const header: [string, string, string] = ['name', 'layer', 'parameters'];
    const widths = [0, 1, 2].map((c) => Math.max(header[c].length, ...rows.map((r) => r[c].length)));
    const line = (r: string[]) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}`;
    return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line),
      `total: ${this.numParameters().toLocaleString('en-US')} parameters`].join('\n');
  }

  /** Frees the module's parameters and output buffers. The module is unusable afterwards. */
  dispose(): void {
    this.disposed = true;
    for (const [, p] of this.walkParameters('', false)) p.dispose();
    for (const [, t] of this.stateBuffers) t.dispose();
    for (const t of this.outputs.values()) t.dispose();
    this.outputs.clear();
    for (const [, child] of this.namedChildren()) child.dispose();
  }

  /**
   * The graph-node name of this layer followed by `activation` (`Linear(784→16) → ReLU`), or its own
   * name. Kept rather than rebuilt on every forward: a name is only read by error messages, and
   * building it was a measurable part of a small net's step. Both names depend only on the
   * modules' construction options, so the activation's identity is key enough.
   */
  protected fusedName(activation: Module | null): string {
    if (this.fused === null || this.fused.activation !== activation) {
      this.fused = { activation, name: activation ? `${this.describe()} → ${activation.describe()}` : this.describe() };
    }
    return this.fused.name;
  }

  /** `buffer` for a layer that fuses this module into its own forward (Linear → activation). */
  buffer_(key: string, shape: readonly number[]): Tensor {
    return this.buffer(key, shape);
  }

  /**
   * This module's reusable output buffer `key` with `shape`: the same block as last time when
   * the shape is unchanged (its version is bumped so a graph recorded before sees the overwrite),
   * a new one otherwise.
   */
  protected buffer(key: string, shape: readonly number[]): Tensor {
    if (this.disposed) throw new DisposedError(`${this.describe()}: forward() after dispose(); the module's memory was freed`);
    const existing = this.outputs.get(key);
    if (existing && !existing.isDisposed && sameShape(existing.shape, shape)) {
      existing.version++;
      existing.gradFn = null;
      existing.requiresGrad = false;
      return existing;
    }
    if (existing && !existing.isDisposed) existing.dispose();
    const t = keep(new Tensor(shape));
    this.outputs.set(key, t);
    return t;
  }
}

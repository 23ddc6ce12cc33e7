import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { requireBackend, requireHeap } from '../core/runtime.js';
import { checkKnownOptions, checkOption, formatValue, type OptionRule, type OptionRules } from './options.js';

// The Optimizer base, as torch.optim.Optimizer: param groups whose options are plain writable
// properties (a scheduler writes `paramGroups[i].lr` and the next step uses it), per-parameter
// state, zeroGrad, addParamGroup and a JSON-safe stateDict. A subclass states its options and
// state, and updates one run of parameters with one kernel call.
//
// Layout: a group's state is one heap block per kind (expAvg, expAvgSq, …), laid out like the
// group's parameters (parameter i at the sum of the sizes before it). When parameters and their
// gradients are contiguous and in order — a Sequential's are — a whole group is one run and one
// kernel call; otherwise each maximal contiguous run is one call, down to one per parameter.
// State blocks are allocated lazily, on the first step that uses them (as torch creates its state
// on the first step), so the first step allocates and later steps allocate nothing.

/** A state tensor as saved: its shape and values (plain numbers, so JSON.stringify keeps them). */
export interface SavedTensor {
  shape: number[];
  data: number[];
}

/** One parameter's saved state: its step count, scalar state (NAdam's muProduct) and tensors. */
export type SavedParamState = Record<string, number | SavedTensor>;

/** A param group as saved: its options and the indices of its parameters. */
export type SavedParamGroup = Record<string, unknown> & { params: number[] };

/**
 * `optimizer.stateDict()`, as torch's: `state` by parameter index (numbered across the groups in
 * order; parameters never stepped have no entry) and `paramGroups`.
 */
export interface OptimizerStateDict {
  state: Record<string, SavedParamState>;
  paramGroups: SavedParamGroup[];
}

/** A group as passed in: its parameters and any options that override the optimizer's defaults. */
export type ParamGroupInit<O> = { params: Iterable<Tensor> | Tensor } & Partial<O>;

/** A live param group: every option resolved, writable, plus its (frozen) parameter list. */
export type ParamGroup<O> = O & { params: readonly Tensor[] };

/** Parameters, or param groups. */
export type ParamsArgument<O> = Iterable<Tensor> | readonly ParamGroupInit<O>[];

/** A kind of state tensor and the value it starts at (which may be one of the group's options). */
export interface StateKind<O> {
  name: string;
  init(group: O): number;
}

/** A contiguous run of parameters updated by one kernel call. */
export interface Run {
  /** Byte offsets of the run's first parameter and of its gradient. */
  p: number;
  g: number;
  /** Elements in the run. */
  n: number;
  /** The step count of the run's parameters, this step included (1 on their first step). */
  step: number;
  /** Index within the group of the run's first parameter. */
  first: number;
  /** Parameters in the run. */
  count: number;
}

interface GroupSlot {
  /** Element offset of each parameter in the group's state blocks. */
  offsets: number[];
  elements: number;
  steps: number[];
  /** Per-parameter scalar state by name (NAdam's muProduct). */
  scalars: Record<string, number[]>;
  blocks: Map<string, Tensor>;
}

export abstract class Optimizer<O extends { lr: number } = { lr: number }> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The constructor's options over the optimizer's defaults: what a group's absent options take. */
  readonly defaults: Readonly<Partial<O>>;
  private readonly slots: GroupSlot[] = [];
  private readonly run: Run = { p: 0, g: 0, n: 0, step: 0, first: 0, count: 0 };
  /** The slot of the group being stepped (so a subclass's state lookups need no search). */
  private current: GroupSlot | null = null;
  private readonly ruleList: [string, OptionRule][];
  private disposed = false;

  /**
   * @param name the optimizer's name in messages.
   * @param rules every option with its valid range.
   * @param builtIn the optimizer's defaults (an option whose rule says `required` has none).
   */
  protected constructor(
    protected readonly name: string,
    private readonly rules: OptionRules,
    builtIn: Partial<O>,
    params: ParamsArgument<O>,
    options: Partial<O>,
  ) {
    if (options === null || typeof options !== 'object') {
      throw new OptionError(`${name}: options must be an object, got ${formatValue(options)}`);
    }
    this.ruleList = Object.entries(rules);
    checkKnownOptions(name, options, rules);
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) checkOption(name, key, value, rules[key]);
    }
    const defaults = { ...builtIn } as Record<string, unknown>;
    for (const [key, value] of Object.entries(options)) if (value !== undefined) defaults[key] = value;
    this.defaults = defaults as Partial<O>;
    for (const group of toGroups(name, params)) this.addParamGroup(group);
  }

  /**
   * Adds a group, as torch's `add_param_group`: options it omits take the defaults. Its
   * parameters must not be in another group.
   */
  addParamGroup(init: ParamGroupInit<O>): void {
    if (init === null || typeof init !== 'object' || !('params' in init)) {
      throw new OptionError(`${this.name}: a param group must be an object with params, got ${formatValue(init)}`);
    }
    checkKnownOptions(this.name, init, this.rules, ['params']);
    const params = Object.freeze(toTensorList(this.name, init.params));
    const seen = new Set<Tensor>();
    for (const p of params) {
      if (seen.has(p)) throw new OptionError(`${this.name}: a parameter of shape ${formatShape(p.shape)} is listed twice in one param group`);
      seen.add(p);
      if (this.paramGroups.some((g) => g.params.includes(p))) {
        throw new OptionError(`${this.name}: a parameter of shape ${formatShape(p.shape)} is already in another param group`);
      }
    }
    const group = { ...cloneOptions(this.defaults) } as Record<string, unknown>;
    for (const [key, value] of Object.entries(init)) if (key !== 'params' && value !== undefined) group[key] = cloneValue(value);
    group.params = params;
    this.validateGroup(group as ParamGroup<O>);
    let elements = 0;
    const offsets = params.map((p) => (elements += p.size) - p.size);
    this.paramGroups.push(group as ParamGroup<O>);
    this.slots.push({
      offsets, elements, steps: params.map(() => 0),
      scalars: Object.fromEntries(Object.entries(this.scalarState()).map(([k, v]) => [k, params.map(() => v)])),
      blocks: new Map(),
    });
  }

  /**
   * Updates every parameter that has a gradient (parameters whose grad is null are skipped). The
   * groups' options are checked first, so a bad value written to one group changes nothing.
   */
  step(): void {
    this.checkUsable();
    for (const group of this.paramGroups) this.validateGroup(group);
    for (let i = 0; i < this.paramGroups.length; i++) {
      const group = this.paramGroups[i];
      this.current = this.slots[i];
      try {
        this.stepGroup(group, this.slots[i]);
      } finally {
        this.current = null;
      }
    }
  }

  /** Sets every gradient to zero: one fill per contiguous run of gradients. */
  zeroGrad(): void {
    this.checkUsable();
    const backend = requireBackend();
    for (const group of this.paramGroups) {
      const params = group.params;
      for (let i = 0; i < params.length;) {
        const g0 = params[i].grad;
        if (g0 === null) { i++; continue; }
        const start = g0.offset;
        let n = g0.size, j = i + 1;
        for (; j < params.length; j++) {
          const g = params[j].grad;
          if (g === null || g.offset !== start + n * 4) break;
          n += g.size;
        }
        backend.fill(start, n, 0);
        i = j;
      }
    }
  }

  /** The options and state, JSON-safe: `JSON.parse(JSON.stringify(d))` loads back bit-identically. */
  stateDict(): OptimizerStateDict {
    this.checkUsable();
    const state: Record<string, SavedParamState> = {};
    const paramGroups: SavedParamGroup[] = [];
    let index = 0;
    this.paramGroups.forEach((group, gi) => {
      const slot = this.slots[gi];
      const saved: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== 'params') saved[key] = cloneValue(value);
      saved.params = group.params.map((_, k) => index + k);
      paramGroups.push(saved as SavedParamGroup);
      group.params.forEach((p, k) => {
        if (slot.steps[k] > 0) {
          const entry: SavedParamState = { step: slot.steps[k] };
          for (const [name, values] of Object.entries(slot.scalars)) entry[name] = values[k];
          for (const [name, block] of slot.blocks) {
            entry[name] = { shape: [...p.shape], data: Array.from(requireHeap().f32(block.offset + slot.offsets[k] * 4, p.size)) };
          }
          state[String(index + k)] = entry;
        }
      });
      index += group.params.length;
    });
    return { state, paramGroups };
  }

  /**
   * Restores options and state saved by `stateDict()` into an optimizer over the same number of
   * groups and parameters (matched by position, as torch does). Everything is checked first — a
   * bad dict throws and changes nothing.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkUsable();
    const where = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || dict.state === null || typeof dict.state !== 'object') {
      throw new OptionError(`${where}: expected { state, paramGroups } as stateDict() returns, got ${formatValue(dict)}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new OptionError(`${where}: the dict has ${dict.paramGroups.length} param groups, this optimizer ${this.paramGroups.length}`);
    }
    // Saved parameter ids → (group, index), by position.
    const byId = new Map<string, [number, number]>();
    const newGroups = dict.paramGroups.map((saved, gi) => {
      const group = this.paramGroups[gi];
      if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.params)) {
        throw new OptionError(`${where}: param group ${gi} must be an object with a params array`);
      }
      if (saved.params.length !== group.params.length) {
        throw new OptionError(`${where}: param group ${gi} has ${saved.params.length} parameters in the dict, ${group.params.length} here`);
      }
      saved.params.forEach((id, k) => {
        if (!Number.isInteger(id) || byId.has(String(id))) {
          throw new OptionError(`${where}: parameter ids must be distinct integers, got ${formatValue(id)} in group ${gi}`);
        }
        byId.set(String(id), [gi, k]);
      });
      const next: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(saved)) {
        if (key === 'params') continue;
        if (!isJsonValue(value)) throw new OptionError(`${where}: option ${key} of group ${gi} is not a plain value: ${formatValue(value)}`);
        next[key] = cloneValue(value);
      }
      for (const key of Object.keys(this.rules)) if (!(key in next) && key in group) next[key] = cloneValue((group as Record<string, unknown>)[key]);
      this.validateGroup(next as O, `${where} (group ${gi})`);
      return next;
    });
    const kindNames = new Set(this.allStateKinds());
    const scalarNames = Object.keys(this.scalarState());
    for (const [id, entry] of Object.entries(dict.state)) {
      const at = byId.get(id);
      if (!at) throw new OptionError(`${where}: state for parameter ${id}, which no param group lists`);
      const [gi, k] = at;
      const p = this.paramGroups[gi].params[k];
      const what = `${where}: state of parameter ${id}`;
      if (entry === null || typeof entry !== 'object') throw new OptionError(`${what} must be an object`);
      if (!Number.isInteger(entry.step) || (entry.step as number) < 0) throw new OptionError(`${what}: step must be a non-negative integer, got ${formatValue(entry.step)}`);
      for (const [name, value] of Object.entries(entry)) {
        if (name === 'step') continue;
        if (scalarNames.includes(name)) {
          if (typeof value !== 'number' || !Number.isFinite(value)) throw new OptionError(`${what}: ${name} must be a finite number, got ${formatValue(value)}`);
          continue;
        }
        if (!kindNames.has(name)) throw new OptionError(`${what}: unknown state ${name} (${this.name} keeps ${[...kindNames, ...scalarNames].join(', ')})`);
        checkSavedTensor(`${what}: ${name}`, value, p);
      }
      if ((entry.step as number) > 0) {
        for (const kind of this.stateKinds(newGroups[gi] as O)) {
          if (!(kind.name in entry)) throw new OptionError(`${what}: ${kind.name} is missing`);
        }
        for (const name of scalarNames) if (!(name in entry)) throw new OptionError(`${what}: ${name} is missing`);
      }
    }

    // Everything is valid: apply.
    const saved = new Map<string, SavedParamState>();
    for (const [id, entry] of Object.entries(dict.state)) {
      const [gi, k] = byId.get(id)!;
      saved.set(`${gi}:${k}`, entry);
    }
    this.paramGroups.forEach((group, gi) => {
      Object.assign(group, newGroups[gi]);
      const slot = this.slots[gi];
      for (const kind of this.stateKinds(group)) this.block(slot, group, kind);
      group.params.forEach((p, k) => {
        const entry = saved.get(`${gi}:${k}`);
        slot.steps[k] = entry ? (entry.step as number) : 0;
        for (const [name, values] of Object.entries(slot.scalars)) {
          values[k] = entry && name in entry ? (entry[name] as number) : this.scalarState()[name];
        }
        for (const kind of this.allKinds()) {
          const block = slot.blocks.get(kind.name);
          const savedTensor = entry?.[kind.name] as SavedTensor | undefined;
          if (savedTensor !== undefined && block === undefined) {
            // A kind the loaded options do not use (amsgrad's vMax with amsgrad now off): keep it anyway.
            this.block(slot, group, kind);
          }
          const target = slot.blocks.get(kind.name);
          if (target === undefined) continue;
          const offset = target.offset + slot.offsets[k] * 4;
          if (savedTensor !== undefined) requireHeap().f32(offset, p.size).set(savedTensor.data);
          else requireBackend().fill(offset, p.size, kind.init(group));
        }
      });
    });
  }

  /** Frees the state blocks. The optimizer is unusable afterwards; the parameters are untouched. */
  dispose(): void {
    for (const slot of this.slots) for (const block of slot.blocks.values()) block.dispose();
    this.disposed = true;
  }

  /**
   * The kinds of state tensor the group's options use: every kind, unless the optimizer's options
   * leave some out (SGD without momentum, Adam without amsgrad, RMSprop's variants).
   */
  protected stateKinds(_group: O): readonly StateKind<O>[] {
    return this.allKinds();
  }

  /** Every kind of state tensor this optimizer may keep, whatever the options. */
  protected abstract allKinds(): readonly StateKind<O>[];

  /** Per-parameter scalar state and its initial value (NAdam's muProduct). */
  protected scalarState(): Readonly<Record<string, number>> {
    return NO_SCALARS;
  }

  /** Whether a step counts for the group's parameters (SGD counts only steps with momentum). */
  protected countsStep(group: O): boolean {
    void group;
    return true;
  }

  /** Checks options that depend on each other (SGD's nesterov). Throws OptionError. */
  protected checkGroup(group: O, where: string): void {
    void group;
    void where;
  }

  /** Updates one run of parameters: one kernel call. */
  protected abstract updateRun(group: ParamGroup<O>, run: Run): void;

  /** Byte offset of the run's slice of the group's `kind` block, allocated (filled) on first use. */
  protected stateOffset(group: ParamGroup<O>, kind: StateKind<O>, run: Run): number {
    const slot = this.slotOf(group);
    return this.block(slot, group, kind).offset + slot.offsets[run.first] * 4;
  }

  /** A per-parameter scalar of the run (equal across its parameters). */
  protected scalar(group: ParamGroup<O>, name: string, run: Run): number {
    return this.slotOf(group).scalars[name][run.first];
  }

  protected setScalar(group: ParamGroup<O>, name: string, run: Run, value: number): void {
    const values = this.slotOf(group).scalars[name];
    for (let k = run.first; k < run.first + run.count; k++) values[k] = value;
  }

  private slotOf(group: ParamGroup<O>): GroupSlot {
    return this.current ?? this.slots[this.paramGroups.indexOf(group)];
  }

  private allStateKinds(): string[] {
    return this.allKinds().map((k) => k.name);
  }

  private block(slot: GroupSlot, group: O, kind: StateKind<O>): Tensor {
    let block = slot.blocks.get(kind.name);
    if (block === undefined) {
      block = keep(new Tensor([slot.elements]));
      requireBackend().fill(block.offset, slot.elements, kind.init(group));
      slot.blocks.set(kind.name, block);
    }
    return block;
  }

  private validateGroup(group: O, where = this.name): void {
    const record = group as Record<string, unknown>;
    for (const [key, rule] of this.ruleList) checkOption(where, key, record[key], rule);
    this.checkGroup(group, where);
  }

  /**
   * One kernel call per maximal run of parameters that are contiguous in memory (values and
   * gradients), in order, have gradients, and share their step count and scalar state.
   */
  private stepGroup(group: ParamGroup<O>, slot: GroupSlot): void {
    const params = group.params;
    const counts = this.countsStep(group);
    const run = this.run;
    for (let i = 0; i < params.length;) {
      const p0 = params[i];
      const g0 = p0.grad;
      if (g0 === null) { i++; continue; }
      checkGrad(this.name, p0, g0);
      const pStart = p0.offset, gStart = g0.offset;
      let n = p0.size, j = i + 1;
      for (; j < params.length; j++) {
        const q = params[j];
        const gq = q.grad;
        if (gq === null || q.offset !== pStart + n * 4 || gq.offset !== gStart + n * 4 || !sameState(slot, i, j)) break;
        checkGrad(this.name, q, gq);
        n += q.size;
      }
      if (counts) for (let k = i; k < j; k++) slot.steps[k]++;
      run.p = pStart; run.g = gStart; run.n = n; run.step = slot.steps[i]; run.first = i; run.count = j - i;
      this.updateRun(group, run);
      for (let k = i; k < j; k++) params[k].version++;
      i = j;
    }
  }

  private checkUsable(): void {
    if (this.disposed) throw new OptionError(`${this.name}: the optimizer was disposed`);
  }
}

const NO_SCALARS: Readonly<Record<string, number>> = Object.freeze({});

function sameState(slot: GroupSlot, i: number, j: number): boolean {
  if (slot.steps[i] !== slot.steps[j]) return false;
  for (const name in slot.scalars) if (slot.scalars[name][i] !== slot.scalars[name][j]) return false;
  return true;
}

function checkGrad(name: string, p: Tensor, g: Tensor): void {
  if (g.size !== p.size) {
    throw new ShapeError(`${name}: a parameter of shape ${formatShape(p.shape)} has a gradient of shape ${formatShape(g.shape)}`);
  }
}

function checkSavedTensor(what: string, value: unknown, p: Tensor): void {
  const t = value as SavedTensor;
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || !t.data || typeof t.data.length !== 'number') {
    throw new OptionError(`${what} must be { shape, data }, got ${formatValue(value)}`);
  }
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`${what} has shape ${formatShape(t.shape)}, the parameter ${formatShape(p.shape)}`);
  }
  if (t.data.length !== p.size) throw new ShapeError(`${what} holds ${t.data.length} values, expected ${p.size}`);
  for (let i = 0; i < t.data.length; i++) {
    const x = t.data[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new OptionError(`${what}: data[${i}] is ${formatValue(x)}, expected a finite number`);
  }
}

function isTensorIterable(x: unknown): x is Iterable<Tensor> {
  return x !== null && typeof x === 'object' && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function toTensorList(name: string, params: unknown): Tensor[] {
  const list = params instanceof Tensor ? [params] : isTensorIterable(params) ? [...params] : null;
  if (list === null) {
    throw new OptionError(`${name}: params must be a Tensor or an iterable of Tensors, got ${formatValue(params)}`);
  }
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new OptionError(`${name}: params must hold Tensors, got ${formatValue(p)}`);
    if (!p.isLeaf) throw new OptionError(`${name}: can't optimize a tensor computed from others (not a leaf)`);
    if (p.isDisposed) throw new OptionError(`${name}: a parameter of shape ${formatShape(p.shape)} was disposed`);
  }
  return list;
}

/** The constructor's first argument as a list of group inits. */
function toGroups<O>(name: string, params: ParamsArgument<O>): ParamGroupInit<O>[] {
  if (params instanceof Tensor || !isTensorIterable(params)) {
    throw new OptionError(`${name}: params must be an iterable of Tensors or of param groups, got ${formatValue(params)}`);
  }
  const items = [...(params as Iterable<unknown>)];
  if (items.length === 0) throw new OptionError(`${name}: got an empty parameter list`);
  if (items.every((x) => x instanceof Tensor)) return [{ params: items as Tensor[] } as unknown as ParamGroupInit<O>];
  if (items.every((x) => x !== null && typeof x === 'object' && !(x instanceof Tensor) && 'params' in (x as object))) {
    return items as ParamGroupInit<O>[];
  }
  throw new OptionError(`${name}: params must be all Tensors or all param groups ({ params, ...options }), not a mix`);
}

function isJsonValue(x: unknown): boolean {
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return true;
  if (typeof x === 'number') return Number.isFinite(x);
  if (Array.isArray(x)) return x.every(isJsonValue);
  return false;
}

function cloneValue<T>(x: T): T {
  return (Array.isArray(x) ? x.map(cloneValue) : x) as T;
}

function cloneOptions<O>(o: O): O {
  return Object.fromEntries(Object.entries(o as object).map(([k, v]) => [k, cloneValue(v)])) as O;
}

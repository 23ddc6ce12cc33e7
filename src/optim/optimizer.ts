import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { requireBackend } from '../core/runtime.js';
import { contiguousRuns } from './runs.js';
import { checkKnownKeys, render, type Rule, type Rules } from '../core/validate.js';
import { checkOption } from './options.js';
import {
  BINARY_STATE_DICT, cloneValue, loadState, saveState, type BinaryStateDict, type OptimizerStateDict, type StateInternals,
} from './state-dict.js';

export type { OptimizerStateDict, SavedParamGroup, SavedParamState, SavedTensor } from './state-dict.js';

// The Optimizer base, as torch.optim.Optimizer: param groups whose options are plain writable
// properties (a scheduler writes `paramGroups[i].lr` and the next step uses it), per-parameter
// state, zeroGrad, addParamGroup and a JSON-safe stateDict (state-dict.ts). A subclass states its options and
// state, and updates one run of parameters with one kernel call.
//
// Layout: a group's state is one heap block per kind (expAvg, expAvgSq, …), laid out like the
// group's parameters (parameter i at the sum of the sizes before it). When parameters and their
// gradients are contiguous and in order — a Sequential's are — a whole group is one run and one
// kernel call; otherwise each maximal contiguous run is one call, down to one per parameter.
// State blocks are allocated lazily, on the first step that uses them (as torch creates its state
// on the first step), so the first step allocates and later steps allocate nothing.

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

/** A group's state: where each parameter sits in the blocks, its step count and scalars. */
export interface GroupSlot {
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
  private readonly ruleList: [string, Rule][];
  private disposed = false;

  /**
   * @param name the optimizer's name in messages.
   * @param rules every option with its valid range.
   * @param builtIn the optimizer's defaults (an option whose rule says `required` has none).
   */
  protected constructor(
    protected readonly name: string,
    private readonly rules: Rules,
    builtIn: Partial<O>,
    params: ParamsArgument<O>,
    options: Partial<O>,
  ) {
    if (options === null || typeof options !== 'object') {
      throw new OptionError(`${name}: options must be an object, got ${render(options)}`);
    }
    this.ruleList = Object.entries(rules);
    checkKnownKeys(name, options, rules);
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
      throw new OptionError(`${this.name}: a param group must be an object with params, got ${render(init)}`);
    }
    checkKnownKeys(this.name, init, this.rules, ['params']);
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

  /**
   * Sets every gradient to zero, lazily: a gradient reads as zeros from here on, but the zeros are
   * written only when something reads it before the next backward() has overwritten it whole. In
   * the usual loop (zeroGrad, forward, backward, step) no zero is written at all, and backward
   * writes each gradient (gemm with β = 0) instead of adding to zeros it would have to read: the
   * same values, without a fill of every gradient and a read of it per step.
   */
  zeroGrad(): void {
    this.checkUsable();
    for (const { params } of this.paramGroups) {
      for (const p of params) p.grad?.zeroLazily();
    }
  }

  /** The options and state, JSON-safe: `JSON.parse(JSON.stringify(d))` loads back bit-identically. */
  stateDict(): OptimizerStateDict {
    this.checkUsable();
    return saveState(this.internals(), Array.from);
  }

  /**
   * The same dict with each state tensor's values as a Float32Array copy: exact, and what a
   * checkpoint writes as binary tensors without a detour through arrays of numbers.
   */
  [BINARY_STATE_DICT](): BinaryStateDict {
    this.checkUsable();
    return { optimizer: this.name, dict: saveState(this.internals(), (view) => view.slice()) };
  }

  /**
   * Restores options and state saved by `stateDict()` into an optimizer over the same number of
   * groups and parameters (matched by position, as torch does). Everything is checked first — a
   * bad dict throws and changes nothing.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkUsable();
    loadState(this.internals(), dict);
  }

  private internals(): StateInternals<O> {
    return {
      name: this.name, paramGroups: this.paramGroups, slots: this.slots, rules: this.rules,
      allKinds: () => this.allKinds(), stateKinds: (g) => this.stateKinds(g), scalarState: () => this.scalarState(),
      validateGroup: (g, where) => this.validateGroup(g, where), block: (slot, g, kind) => this.block(slot, g, kind),
    };
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
    // Runs of gradients, cut where the parameters stop being contiguous too or their state differs.
    // The callbacks are inline, unnamed: tsx (`npm run bench`) gives every named closure a
    // defineProperty call when it is created, which cost ~1 µs a step here.
    contiguousRuns(params.length, (i) => {
      const g = params[i].grad;
      if (g !== null) checkGrad(this.name, params[i], g);
      return g;
    }, (i, j, g, n) => {
      if (counts) for (let k = i; k < j; k++) slot.steps[k]++;
      run.p = params[i].offset; run.g = g; run.n = n; run.step = slot.steps[i]; run.first = i; run.count = j - i;
      this.updateRun(group, run);
      for (let k = i; k < j; k++) params[k].version++;
    }, (i, j, n) => params[j].offset === params[i].offset + n * 4 && sameState(slot, i, j));
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

function isTensorIterable(x: unknown): x is Iterable<Tensor> {
  return x !== null && typeof x === 'object' && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function toTensorList(name: string, params: unknown): Tensor[] {
  const list = params instanceof Tensor ? [params] : isTensorIterable(params) ? [...params] : null;
  if (list === null) {
    throw new OptionError(`${name}: params must be a Tensor or an iterable of Tensors, got ${render(params)}`);
  }
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new OptionError(`${name}: params must hold Tensors, got ${render(p)}`);
    if (!p.isLeaf) throw new OptionError(`${name}: can't optimize a tensor computed from others (not a leaf)`);
    if (p.isDisposed) throw new OptionError(`${name}: a parameter of shape ${formatShape(p.shape)} was disposed`);
  }
  return list;
}

/** The constructor's first argument as a list of group inits. */
function toGroups<O>(name: string, params: ParamsArgument<O>): ParamGroupInit<O>[] {
  if (params instanceof Tensor || !isTensorIterable(params)) {
    throw new OptionError(`${name}: params must be an iterable of Tensors or of param groups, got ${render(params)}`);
  }
  const items = [...(params as Iterable<unknown>)];
  if (items.length === 0) throw new OptionError(`${name}: got an empty parameter list`);
  if (items.every((x) => x instanceof Tensor)) return [{ params: items as Tensor[] } as unknown as ParamGroupInit<O>];
  if (items.every((x) => x !== null && typeof x === 'object' && !(x instanceof Tensor) && 'params' in (x as object))) {
    return items as ParamGroupInit<O>[];
  }
  throw new OptionError(`${name}: params must be all Tensors or all param groups ({ params, ...options }), not a mix`);
}

function cloneOptions<O>(o: O): O {
  return Object.fromEntries(Object.entries(o as object).map(([k, v]) => [k, cloneValue(v)])) as O;
}

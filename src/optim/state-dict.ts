import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend, requireHeap } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { render, type Rules } from '../core/validate.js';
import type { GroupSlot, ParamGroup, StateKind } from './optimizer.js';

// An optimizer's state dict, as torch's: options and per-parameter state by parameter index,
// saved from and loaded into the Optimizer base's layout (one heap block per kind of state, each
// parameter at its offset in the group). Kept apart from the update machinery so the base class
// reads as the step it performs; a checkpoint stores the same dict with binary tensors.

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


/** What a checkpoint stores: the optimizer's name, and its dict with Float32Array tensor values. */
export interface BinaryStateDict {
  optimizer: string;
  dict: OptimizerStateDict;
}

/**
 * The key of an optimizer's method returning a `BinaryStateDict`: a symbol, so the public surface
 * keeps one stateDict() while a checkpoint of 10 M parameters skips 20 M boxed numbers.
 */
export const BINARY_STATE_DICT = Symbol('descent.binaryStateDict');

/** The parts of an Optimizer the state dict reads and writes. */
export interface StateInternals<O> {
  name: string;
  paramGroups: ParamGroup<O>[];
  slots: GroupSlot[];
  rules: Rules;
  allKinds(): readonly StateKind<O>[];
  stateKinds(group: O): readonly StateKind<O>[];
  scalarState(): Readonly<Record<string, number>>;
  validateGroup(group: O, where: string): void;
  block(slot: GroupSlot, group: O, kind: StateKind<O>): Tensor;
}

/** The dict of `opt`, each state tensor's heap view turned into saved values by `copy`. */
export function saveState<O>(opt: StateInternals<O>, copy: (view: Float32Array) => ArrayLike<number>): OptimizerStateDict {
  const state: Record<string, SavedParamState> = {};
  const paramGroups: SavedParamGroup[] = [];
  let index = 0;
  opt.paramGroups.forEach((group, gi) => {
    const slot = opt.slots[gi];
    const saved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(group)) if (key !== 'params') saved[key] = cloneValue(value);
    saved.params = group.params.map((_, k) => index + k);
    paramGroups.push(saved as SavedParamGroup);
    group.params.forEach((p, k) => {
      if (slot.steps[k] > 0) {
        const entry: SavedParamState = { step: slot.steps[k] };
        for (const [name, values] of Object.entries(slot.scalars)) entry[name] = values[k];
        for (const [name, block] of slot.blocks) {
          entry[name] = { shape: [...p.shape], data: copy(requireHeap().f32(block.offset + slot.offsets[k] * 4, p.size)) as number[] };
        }
        state[String(index + k)] = entry;
      }
    });
    index += group.params.length;
  });
  return { state, paramGroups };
}

/** Checks the whole dict against `opt`, then applies it; a bad dict throws and changes nothing. */
export function loadState<O>(opt: StateInternals<O>, dict: OptimizerStateDict): void {
  const where = `${opt.name}.loadStateDict`;
  if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || dict.state === null || typeof dict.state !== 'object') {
    throw new OptionError(`${where}: expected { state, paramGroups } as stateDict() returns, got ${render(dict)}`);
  }
  if (dict.paramGroups.length !== opt.paramGroups.length) {
    throw new OptionError(`${where}: the dict has ${dict.paramGroups.length} param groups, this optimizer ${opt.paramGroups.length}`);
  }
  // Saved parameter ids → (group, index), by position.
  const byId = new Map<string, [number, number]>();
  const newGroups = dict.paramGroups.map((saved, gi) => {
    const group = opt.paramGroups[gi];
    if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.params)) {
      throw new OptionError(`${where}: param group ${gi} must be an object with a params array`);
    }
    if (saved.params.length !== group.params.length) {
      throw new OptionError(`${where}: param group ${gi} has ${saved.params.length} parameters in the dict, ${group.params.length} here`);
    }
    saved.params.forEach((id, k) => {
      if (!Number.isInteger(id) || byId.has(String(id))) {
        throw new OptionError(`${where}: parameter ids must be distinct integers, got ${render(id)} in group ${gi}`);
      }
      byId.set(String(id), [gi, k]);
    });
    const next: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(saved)) {
      if (key === 'params') continue;
      if (!isJsonValue(value)) throw new OptionError(`${where}: option ${key} of group ${gi} is not a plain value: ${render(value)}`);
      next[key] = cloneValue(value);
    }
    for (const key of Object.keys(opt.rules)) if (!(key in next) && key in group) next[key] = cloneValue((group as Record<string, unknown>)[key]);
    opt.validateGroup(next as O, `${where} (group ${gi})`);
    return next;
  });
  const kindNames = new Set(opt.allKinds().map((k) => k.name));
  const scalarNames = Object.keys(opt.scalarState());
  for (const [id, entry] of Object.entries(dict.state)) {
    const at = byId.get(id);
    if (!at) throw new OptionError(`${where}: state for parameter ${id}, which no param group lists`);
    const [gi, k] = at;
    const p = opt.paramGroups[gi].params[k];
    const what = `${where}: state of parameter ${id}`;
    if (entry === null || typeof entry !== 'object') throw new OptionError(`${what} must be an object`);
    if (!Number.isInteger(entry.step) || (entry.step as number) < 0) throw new OptionError(`${what}: step must be a non-negative integer, got ${render(entry.step)}`);
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'step') continue;
      if (scalarNames.includes(name)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new OptionError(`${what}: ${name} must be a finite number, got ${render(value)}`);
        continue;
      }
      if (!kindNames.has(name)) throw new OptionError(`${what}: unknown state ${name} (${opt.name} keeps ${[...kindNames, ...scalarNames].join(', ')})`);
      checkSavedTensor(`${what}: ${name}`, value, p);
    }
    if ((entry.step as number) > 0) {
      for (const kind of opt.stateKinds(newGroups[gi] as O)) {
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
  opt.paramGroups.forEach((group, gi) => {
    Object.assign(group, newGroups[gi]);
    const slot = opt.slots[gi];
    for (const kind of opt.stateKinds(group)) opt.block(slot, group, kind);
    group.params.forEach((p, k) => {
      const entry = saved.get(`${gi}:${k}`);
      slot.steps[k] = entry ? (entry.step as number) : 0;
      for (const [name, values] of Object.entries(slot.scalars)) {
        values[k] = entry && name in entry ? (entry[name] as number) : opt.scalarState()[name];
      }
      for (const kind of opt.allKinds()) {
        const block = slot.blocks.get(kind.name);
        const savedTensor = entry?.[kind.name] as SavedTensor | undefined;
        if (savedTensor !== undefined && block === undefined) {
          // A kind the loaded options do not use (amsgrad's vMax with amsgrad now off): keep it anyway.
          opt.block(slot, group, kind);
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

function checkSavedTensor(what: string, value: unknown, p: Tensor): void {
  const t = value as SavedTensor;
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || !t.data || typeof t.data.length !== 'number') {
    throw new OptionError(`${what} must be { shape, data }, got ${render(value)}`);
  }
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`${what} has shape ${formatShape(t.shape)}, the parameter ${formatShape(p.shape)}`);
  }
  if (t.data.length !== p.size) throw new ShapeError(`${what} holds ${t.data.length} values, expected ${p.size}`);
  for (let i = 0; i < t.data.length; i++) {
    const x = t.data[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new OptionError(`${what}: data[${i}] is ${render(x)}, expected a finite number`);
  }
}

function isJsonValue(x: unknown): boolean {
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return true;
  if (typeof x === 'number') return Number.isFinite(x);
  if (Array.isArray(x)) return x.every(isJsonValue);
  return false;
}

/** A copy of an option's value (arrays such as betas are copied, so groups never share one). */
export function cloneValue<T>(x: T): T {
  return (Array.isArray(x) ? x.map(cloneValue) : x) as T;
}

// The base of every learning-rate scheduler, after PyTorch's lr_scheduler.py: a scheduler owns
// `lastEpoch` and, on each `step()`, writes one lr per param group into the optimizer, whose next
// `step()` reads it. A subclass only says how the rate moves (`getLr`, torch's chainable form,
// which reads the groups' current lrs so that schedulers compose) and, where one exists, the
// closed form in the epoch (`closedFormLr`, used to restart a schedule inside SequentialLR).
import { NonFiniteError, OptionError } from '../core/errors.js';
import { checkValue, render } from '../core/validate.js';
import { LAST_EPOCH, checkOptimizer } from './validate.js';

/**
 * A param group as the schedulers see it. `lr` is read and written; `momentum` or `betas[0]` are
 * written by the schedulers that cycle momentum; `initialLr` is added by the first scheduler, as
 * torch adds `initial_lr`, so a resumed or later scheduler knows the base rate.
 */
export interface SchedulableParamGroup {
  lr: number;
  momentum?: number;
  betas?: readonly [number, number];
  initialLr?: number;
}

/** Any optimizer: the schedulers touch nothing but its `paramGroups`. */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly SchedulableParamGroup[];
}

/** A JSON value: what `stateDict()` returns survives `JSON.stringify` / `JSON.parse`. */
export type StateValue = number | string | boolean | null | StateValue[] | { [key: string]: StateValue };
export type SchedulerState = { [key: string]: StateValue };

function toState(value: unknown, where: string): StateValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    // JSON has no Infinity or NaN: a subclass that can hold one encodes it itself.
    if (!Number.isFinite(value)) throw new OptionError(`stateDict: ${where} is ${value}, which JSON cannot hold`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toState(v, `${where}[${i}]`));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toState(v, `${where}.${k}`)]));
  }
  throw new OptionError(`stateDict: ${where} is a ${typeof value}, which JSON cannot hold`);
}

// Functions cannot be saved; nested schedulers are saved by the composite, with their own stateDict.
const isUnsaved = (v: unknown): boolean => {
  const one = (x: unknown): boolean => typeof x === 'function' || x instanceof SchedulerBase;
  return one(v) || (Array.isArray(v) && v.length > 0 && v.every(one));
};

/** A state must be what stateDict() returns: a plain object. */
export function checkState(owner: string, state: unknown): asserts state is SchedulerState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new OptionError(`${owner}: state must be an object returned by stateDict(), got ${render(state)}`);
  }
}

type Kind = 'number' | 'string' | 'boolean' | 'list' | 'object' | 'null';
const kindOf = (v: unknown): Kind | 'other' =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : (['number', 'string', 'boolean', 'object'] as const).find((k) => typeof v === k) ?? 'other';

/**
 * `value` may replace `current` if it is of the same kind: a finite number for a number, a list of
 * the same length for a per-group list, entry by entry. Where `nullable` (a field a subclass names
 * in `static nullableState`, as ReduceLROnPlateau's `best`, null until a metric is seen), null and
 * a number stand for each other.
 */
function checkSameKind(owner: string, name: string, current: unknown, value: unknown, nullable = false): void {
  const [want, got] = [kindOf(current), kindOf(value)];
  const numeric = (k: string) => k === 'number' || k === 'null';
  const ok = want === got || (nullable && numeric(want) && numeric(got));
  if (!ok || (got === 'number' && !Number.isFinite(value))) {
    const expected = nullable ? 'a finite number or null' : want === 'list' ? 'a list' : want === 'number' ? 'a finite number' : `a ${want}`;
    throw new OptionError(`${owner}: ${name} must be ${expected}, got ${render(value)}`);
  }
  if (want === 'list') {
    const [a, b] = [current as unknown[], value as unknown[]];
    if (a.length > 0 && a.length !== b.length) throw new OptionError(`${owner}: ${name} must have ${a.length} entries, got ${render(value)}`);
    b.forEach((v, i) => { if (i < a.length) checkSameKind(owner, `${name}[${i}]`, a[i], v); });
  }
}

/**
 * What every scheduler shares, ReduceLROnPlateau and the composites included: the optimizer,
 * `lastEpoch`, the last rates written, and a JSON-safe state.
 */
export abstract class SchedulerBase {
  readonly optimizer: SchedulableOptimizer;
  lastEpoch: number;
  protected lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, lastEpoch: number) {
    this.optimizer = checkOptimizer(this.constructor.name, optimizer);
    this.lastEpoch = lastEpoch;
    this.lastLr = this.groupLrs();
  }

  /** The lr of each param group as this scheduler last set it. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /**
   * Every field but the optimizer, as JSON. Functions (`lrLambda`, a custom `scaleFn`) are not
   * saved, as in torch: construct the scheduler with them again, then load the state.
   */
  stateDict(): SchedulerState {
    const state: SchedulerState = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'optimizer' || value === undefined || isUnsaved(value)) continue;
      state[key] = toState(value, key);
    }
    return state;
  }

  /**
   * Restores a `stateDict()` (the optimizer's own state, its lrs included, is loaded separately).
   * Each value must be of the kind the field holds now (a number for a number, a list of as many
   * entries for a per-group list, …), so a corrupted state fails here, not at a later `step()`.
   */
  loadStateDict(state: SchedulerState): void {
    const owner = `${this.constructor.name}.loadStateDict`;
    checkState(owner, state);
    const fields = this as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(state)) {
      if (key === 'optimizer' || !Object.prototype.hasOwnProperty.call(this, key)) {
        throw new OptionError(`${owner}: unknown key '${key}' (a state of another scheduler?)`);
      }
      const nullable = (this.constructor as { nullableState?: readonly string[] }).nullableState?.includes(key) ?? false;
      checkSameKind(owner, key, fields[key], value, nullable);
    }
    if ('lastEpoch' in state) checkValue(owner, 'lastEpoch', state.lastEpoch, LAST_EPOCH);
    for (const [key, value] of Object.entries(state)) fields[key] = toState(value, key);
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/**
 * The base of the schedulers that move the rate once per `step()` without a metric.
 *
 * A subclass sets its fields after `super()` and then calls `this.initialStep()` as the last line
 * of its constructor (torch's `__init__` steps once; here the subclass fields must exist first).
 */
export abstract class LRScheduler extends SchedulerBase {
  /** Each group's `initialLr`: the rate the schedule is a function of. */
  baseLrs: number[];
  #initial = false;

  /**
   * `lastEpoch = -1` starts a schedule and records each group's lr as its `initialLr`; a larger
   * value resumes one, and needs the groups' `initialLr` (restored with the optimizer's state).
   */
  constructor(optimizer: SchedulableOptimizer, lastEpoch = -1) {
    checkValue(new.target.name, 'lastEpoch', lastEpoch, LAST_EPOCH);
    super(optimizer, lastEpoch);
    const groups = this.optimizer.paramGroups;
    groups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (typeof group.initialLr !== 'number') {
        throw new OptionError(
          `${this.constructor.name}: lastEpoch ${lastEpoch} resumes a schedule, but optimizer.paramGroups[${i}] has no initialLr ` +
            '(load the optimizer state saved with the schedule, or start with lastEpoch -1)',
        );
      }
    });
    this.baseLrs = groups.map((g) => g.initialLr as number);
  }

  /** Advances one epoch (or one batch, for the per-batch schedules) and sets every group's lr. */
  step(): void {
    this.lastEpoch += 1;
    try {
      this.setLrs(this.getLr());
    } catch (error) {
      this.lastEpoch -= 1; // a refused step leaves the schedule where it was
      throw error;
    }
  }

  /** The lrs for `lastEpoch`, from the groups' current lrs (torch's chainable `get_lr`). */
  protected abstract getLr(): number[];

  /** The lrs for `lastEpoch` from `baseLrs` alone, where the schedule has a closed form. */
  protected closedFormLr?(): number[];

  /** True during the step the constructor makes: chainable forms leave the rate alone then. */
  protected get isInitial(): boolean {
    return this.#initial;
  }

  /** The constructor's step. SequentialLR repeats it for its first scheduler. */
  initialStep(): void {
    this.#initial = true;
    try {
      this.step();
    } finally {
      this.#initial = false;
    }
  }

  /** Puts the schedule at epoch 0 again, from `baseLrs` (SequentialLR does this at a milestone). */
  restart(): void {
    this.lastEpoch = 0;
    this.setLrs(this.closedFormLr?.() ?? this.getLr());
  }

  /** Writes the rates, refusing a negative or non-finite one (a LambdaLR can compute anything). */
  protected setLrs(lrs: readonly number[]): void {
    lrs.forEach((lr, i) => {
      if (lr >= 0 && lr !== Infinity) return;
      const message = `${this.constructor.name}: the schedule gives param group ${i} the lr ${lr} at epoch ${this.lastEpoch}; ` +
        'an lr must be a finite number ≥ 0';
      throw Number.isFinite(lr) ? new OptionError(message) : new NonFiniteError(message);
    });
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = this.groupLrs();
  }
}

// One vocabulary of argument rules for every public entry point. A function states what it accepts
// once, as data, and the same table validates, rejects misspelt keys and writes the message:
//
//   import { checkOptions, checkValue, int, real, oneOf, tensorOf, BOOLEAN } from '../core/validate.js';
//   const RULES = { dim: int(-2, 1), keepdim: BOOLEAN, reduction: oneOf('mean', 'sum', 'none') };
//   export function sum(x: Tensor, options?: SumOptions) {
//     checkValue('sum', 'x', x, TENSOR);                     // positional argument
//     const { dim, keepdim = false } = checkOptions<SumOptions>('sum', options, RULES);
//     …                                                      // only now allocate / call kernels
//   }
//
// - `checkOptions(owner, options, rules)`: `undefined` means {}; anything but a plain object is
//   rejected; an unknown key is an error listing the valid ones and suggesting the closest
//   (`bais` → `bias`, `axis` → `dim`, `weight_decay` → `weightDecay`); a key whose value is
//   `undefined` counts as absent (unless the rule is `required`).
// - `checkValue(owner, name, value, rule)`: one argument; throws OptionError (wrong type or
//   range), ShapeError (a Tensor of the wrong rank, a bad shape) or DisposedError.
// - Rules are plain objects (`{ type: 'number', min: 0, open: 'min' }`) or built with the helpers
//   below; `describe(rule)` gives the "expected" text, `render(value)` the faithful "got" text.
// - Number ranges are closed unless `open` says otherwise; an absent bound is an open ±∞, so
//   Infinity is accepted only by a closed `max: Infinity` (e.g. clipGradNorm's normType in (0, ∞]).
//   NaN never passes.
// Checks cost one pass over the option keys per call, never a pass over tensor elements: they stay
// off the hot path of a training step.
import { DisposedError, OptionError, ShapeError, formatShape } from './errors.js';
import type { Tensor } from './tensor.js';

/** Carried by every Tensor (set in tensor.ts), so this module recognises one without importing the class. */
export const TENSOR_BRAND: unique symbol = Symbol.for('descent.tensor');

/** `description` replaces the generated "expected" text where a domain phrase reads better. */
type Common = { required?: boolean; description?: string };
/** `nonFinite` lets NaN and ±Infinity through (a fill value, a tensor element); bounds then do not apply. */
export type NumberRule = Common & { type: 'number'; min?: number; max?: number; open?: 'min' | 'max' | 'both'; integer?: boolean; nonFinite?: boolean };
export type Rule =
  | NumberRule
  | (Common & { type: 'boolean' })
  | (Common & { type: 'string'; nonEmpty?: boolean })
  | (Common & { type: 'enum'; values: readonly Primitive[] })
  | (Common & { type: 'shape'; rank?: number })
  | (Common & { type: 'tensor'; rank?: number | readonly number[]; dtype?: 'float32' })
  | (Common & { type: 'array'; of?: Rule; length?: number; minLength?: number })
  | (Common & { type: 'function' })
  | (Common & { type: 'object'; rules?: Rules })
  | (Common & { type: 'instance'; of: abstract new (...args: never[]) => unknown; name: string })
  | (Common & { type: 'anyOf'; rules: readonly Rule[] });
export type Rules = Record<string, Rule>;
type Primitive = string | number | boolean | null;

// ---- building rules ---------------------------------------------------------------------------

/** A real number in a range (closed bounds unless `open`; absent bounds are ±∞, Infinity excluded). */
export const real = (min?: number, max?: number, open?: NumberRule['open']): NumberRule =>
  ({ type: 'number', min, max, open });
/** An integer in [min, max] (max absent: no upper bound). */
export const int = (min?: number, max?: number): NumberRule => ({ type: 'number', min, max, integer: true });
/** One of a few literal values (strings, numbers, booleans or null). */
export const oneOf = (...values: Primitive[]): Rule => ({ type: 'enum', values });
/** A Tensor of float32, of the given rank (or one of the ranks) if given. */
export const tensorOf = (rank?: number | readonly number[]): Rule => ({ type: 'tensor', rank });
/** An array whose entries each follow `of`, optionally of an exact length. */
export const arrayOf = (of?: Rule, length?: number): Rule => ({ type: 'array', of, length });
/** Any one of several rules (e.g. a number or a Tensor). */
export const anyOf = (...rules: Rule[]): Rule => ({ type: 'anyOf', rules });
/** The rule, or null. */
export const nullable = (rule: Rule): Rule => anyOf(oneOf(null), rule);
/** The same rule, but `undefined` is an error. */
export const required = <R extends Rule>(rule: R): R => ({ ...rule, required: true });
/** An instance of a class (name used in messages). */
export const instanceOf = (of: abstract new (...args: never[]) => unknown, name = of.name): Rule => ({ type: 'instance', of, name });

export const FINITE = real();
/** Any number, NaN and ±Infinity included. */
export const ANY_NUMBER: NumberRule = { type: 'number', nonFinite: true };
export const NON_NEGATIVE = real(0);
export const POSITIVE = real(0, undefined, 'min');
export const UNIT = real(0, 1);
export const UNIT_OPEN = real(0, 1, 'max');
export const POSITIVE_INT = int(1);
export const NON_NEGATIVE_INT = int(0);
/** A seed for Random: any safe integer, negative too. */
export const SEED: Rule = { ...int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), description: 'a safe integer' };
export const BOOLEAN: Rule = { type: 'boolean' };
export const STRING: Rule = { type: 'string', nonEmpty: true };
export const FUNCTION: Rule = { type: 'function' };
export const SHAPE: Rule = { type: 'shape' };
export const TENSOR = tensorOf();
export const OPTIONS: Rule = { type: 'object' };
/** A learning rate: lr ≥ 0; required when there is no sensible default (SGD, Yogi, Lion, …). */
export const LR = real(0);
export const LR_REQUIRED = required(real(0));
/** Adam-style [β1, β2], each in [0, 1). */
export const BETAS: Rule = { ...arrayOf(UNIT_OPEN, 2), description: 'a pair [beta1, beta2] of numbers in [0, 1)' };

// ---- checking ---------------------------------------------------------------------------------

/**
 * Checks an options argument against `rules` and returns it typed (`undefined` → {}). Rejects a
 * non-object, unknown keys (with the valid list and the closest name) and every invalid value.
 */
export function checkOptions<T extends object>(owner: string, options: unknown, rules: Rules, argument = 'options'): Partial<T> {
  if (options === undefined) {
    for (const key in rules) if (rules[key].required) checkValue(owner, key, undefined, rules[key]);
    return {};
  }
  if (!isPlainObject(options)) {
    throw new OptionError(`${owner}: ${argument} must be an object like { ${Object.keys(rules).join(', ')} }, got ${render(options)}`);
  }
  checkKnownKeys(owner, options, rules);
  for (const key in rules) checkValue(owner, key, (options as Record<string, unknown>)[key], rules[key]);
  return options as Partial<T>;
}

/** Rejects keys that no rule (and no `allowed` extra) names; the message lists the valid ones. */
export function checkKnownKeys(owner: string, options: object, rules: Rules, allowed: readonly string[] = []): void {
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(rules, key) || allowed.includes(key)) continue;
    const valid = [...Object.keys(rules), ...allowed];
    const guess = closest(key, valid);
    throw new OptionError(
      `${owner}: unknown option ${key} (valid: ${valid.join(', ') || 'none'})${guess === undefined ? '' : `; did you mean ${guess}?`}`,
    );
  }
}

/** Checks one value (`name` as the user wrote it: `lr`, `betas[0]`, `x`); `undefined` passes unless required. */
export function checkValue(owner: string, name: string, value: unknown, rule: Rule): void {
  if (value === undefined) {
    if (rule.required) throw new OptionError(`${owner}: ${name} is required (${describe(rule).replace(/^in /, 'a number in ')})`);
    return;
  }
  const problem = violation(owner, name, value, rule);
  if (problem !== null) throw problem;
}

/** Whether `value` satisfies `rule` (no throw). */
export function satisfies(value: unknown, rule: Rule): boolean {
  return value === undefined ? !rule.required : violation('', '', value, rule) === null;
}

/**
 * The error `value` earns under `rule`, or null. Nested entries get names like `betas[1]`. Layers
 * and the optimizers run it on every step, so a value that passes allocates nothing (no closure, no
 * message).
 */
function violation(owner: string, name: string, value: unknown, rule: Rule): Error | null {
  switch (rule.type) {
    case 'number':
      return typeof value === 'number' && inRange(value, rule) ? null : fail(owner, name, value, rule);
    case 'boolean':
      return typeof value === 'boolean' ? null : fail(owner, name, value, rule);
    case 'string':
      return typeof value === 'string' && (!rule.nonEmpty || value !== '') ? null : fail(owner, name, value, rule);
    case 'enum':
      return rule.values.includes(value as Primitive) ? null : fail(owner, name, value, rule);
    case 'function':
      return typeof value === 'function' ? null : fail(owner, name, value, rule);
    case 'instance':
      return value instanceof rule.of ? null : fail(owner, name, value, rule);
    case 'object':
      if (!isPlainObject(value)) return fail(owner, name, value, rule);
      if (rule.rules !== undefined) checkOptions(owner, value, rule.rules, name);
      return null;
    case 'shape':
      if (!Array.isArray(value) || (rule.rank !== undefined && value.length !== rule.rank)) return shapeFail(owner, name, value, rule);
      for (const d of value) if (!(Number.isSafeInteger(d) && d >= 0)) return shapeFail(owner, name, value, rule);
      return null;
    case 'tensor':
      if (!isTensor(value)) return fail(owner, name, value, rule);
      if (value.isDisposed) return new DisposedError(`${owner}: ${name}: tensor of shape ${formatShape(value.shape)} was used after dispose()`);
      if (rule.rank === undefined || (typeof rule.rank === 'number' ? value.rank === rule.rank : rule.rank.includes(value.rank))) return null;
      return new ShapeError(`${owner}: ${name} must be ${describe(rule)}, got a tensor of shape ${formatShape(value.shape)}`);
    case 'array': {
      if (!Array.isArray(value) || (rule.length !== undefined && value.length !== rule.length) ||
        (rule.minLength !== undefined && value.length < rule.minLength)) return fail(owner, name, value, rule);
      if (rule.of === undefined) return null;
      for (let i = 0; i < value.length; i++) {
        const inner = violation(owner, `${name}[${i}]`, value[i], rule.of);
        if (inner !== null) return inner;
      }
      return null;
    }
    case 'anyOf': {
      if (rule.rules.some((r) => satisfies(value, r))) return null;
      // A Tensor that fails its own rule (disposed, wrong rank) says so rather than "a Tensor or …".
      const tensorRule = isTensor(value) ? rule.rules.find((r) => r.type === 'tensor') : undefined;
      return tensorRule === undefined ? fail(owner, name, value, rule) : violation(owner, name, value, tensorRule);
    }
  }
}

function fail(owner: string, name: string, value: unknown, rule: Rule): OptionError {
  return new OptionError(`${owner}: ${name} must be ${describe(rule)}, got ${render(value)}`);
}

function shapeFail(owner: string, name: string, value: unknown, rule: Rule): ShapeError {
  return new ShapeError(`${owner}: ${name} must be ${describe(rule)}, got ${render(value)}`);
}

function inRange(x: number, rule: NumberRule): boolean {
  if (rule.nonFinite) return true;
  if (Number.isNaN(x) || (rule.integer && !Number.isInteger(x))) return false;
  const { min = -Infinity, max = Infinity, open } = rule;
  const openMin = open === 'min' || open === 'both' || rule.min === undefined;
  const openMax = open === 'max' || open === 'both' || rule.max === undefined;
  return (openMin ? x > min : x >= min) && (openMax ? x < max : x <= max);
}

export function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && (value as { [TENSOR_BRAND]?: boolean })[TENSOR_BRAND] === true;
}

/** An object literal (or Object.create(null)): what an options argument is. */
export function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---- messages ---------------------------------------------------------------------------------

/** What a rule accepts, in words: `in (0, ∞)`, `an integer in [1, ∞)`, `a 2-D Tensor`, … */
export function describe(rule: Rule): string {
  if (rule.description !== undefined) return rule.description;
  switch (rule.type) {
    case 'number': {
      if (rule.nonFinite) return 'a number';
      const { min, max, open } = rule;
      const what = rule.integer ? 'an integer' : 'a finite number';
      if (min === undefined && max === undefined) return what;
      const lo = min === undefined || open === 'min' || open === 'both' ? '(' : '[';
      const hi = max === undefined || open === 'max' || open === 'both' ? ')' : ']';
      const interval = `${lo}${min ?? '-∞'}, ${max === undefined || max === Infinity ? '∞' : max}${hi}`;
      return rule.integer ? `${what} in ${interval}` : `in ${interval}`;
    }
    case 'boolean': return 'a boolean';
    case 'string': return rule.nonEmpty ? 'a non-empty string' : 'a string';
    case 'enum': return orList(rule.values.map((v) => (typeof v === 'string' ? `'${v}'` : render(v))));
    case 'function': return 'a function';
    case 'instance': return `${/^[AEIOU]/.test(rule.name) ? 'an' : 'a'} ${rule.name}`;
    case 'object': return rule.rules ? `an object like { ${Object.keys(rule.rules).join(', ')} }` : 'an options object';
    case 'shape':
      return `an array of ${rule.rank === undefined ? '' : `${rule.rank} `}non-negative integers`;
    case 'tensor': return rule.rank === undefined ? 'a Tensor' : `a ${rankText(rule.rank)} Tensor`;
    case 'array': {
      const count = rule.length !== undefined ? `${rule.length} ` : rule.minLength ? `at least ${rule.minLength} ` : '';
      return rule.of === undefined ? `an array${count ? ` of ${count.trim()} entries` : ''}` : `an array of ${count}entries each ${describe(rule.of)}`;
    }
    case 'anyOf': return rule.rules.map(describe).join(' or ');
  }
}

/** `2-D`, `1-D or 2-D`. */
function rankText(rank: number | readonly number[]): string {
  return orList((typeof rank === 'number' ? [rank] : rank).map((r) => `${r}-D`));
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

const MAX_ITEMS = 8;

/**
 * The value as the user would recognise it: `"abc"`, `""`, NaN, -0, `[2]`, `Float32Array(4) [0, 0,
 * 0, 0]`, `{"a":1}`, `a Tensor of shape [2, 3]`, `a function f`, `an instance of Linear`.
 */
export function render(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'string': return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'bigint': return `${value}n`;
    case 'symbol': return value.toString();
    case 'function': return value.name ? `a function ${value.name}` : 'a function';
    case 'undefined': return 'undefined';
    case 'boolean': return String(value);
  }
  if (value === null) return 'null';
  if (isTensor(value)) return `a ${value.isDisposed ? 'disposed ' : ''}Tensor of shape ${formatShape(value.shape)}`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number | bigint>);
    return `${value.constructor.name}(${items.length}) ${list(items, depth)}`;
  }
  if (Array.isArray(value)) return depth > 2 ? '[…]' : list(value, depth);
  if (!isPlainObject(value)) return `an instance of ${(value as object).constructor?.name ?? 'an unknown class'}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 80)}…` : json;
  } catch {
    return `{ ${Object.keys(value).join(', ')} }`; // a cycle: the keys still say what it was
  }
}

function list(items: readonly unknown[], depth: number): string {
  const shown = items.slice(0, MAX_ITEMS).map((v) => render(v, depth + 1));
  if (items.length > MAX_ITEMS) shown.push(`… ${items.length - MAX_ITEMS} more`);
  return `[${shown.join(', ')}]`;
}

// ---- suggestions ------------------------------------------------------------------------------

/** Names that other libraries use for ours: a torch, numpy or Keras habit gets pointed to ours. */
const FOREIGN_NAMES: Record<string, readonly string[]> = {
  axis: ['dim'], axes: ['dim'], keepDim: ['keepdim'], keepDims: ['keepdim'], keepdims: ['keepdim'],
  learningRate: ['lr'], learning_rate: ['lr'], decay: ['weightDecay'], useBias: ['bias'],
  batch: ['batchSize'], beta1: ['betas'], beta2: ['betas'], epsilon: ['eps'],
};

/** The valid name the user most likely meant, if one is close enough. */
export function closest(key: string, valid: readonly string[]): string | undefined {
  const foreign = Object.hasOwn(FOREIGN_NAMES, key) ? FOREIGN_NAMES[key].find((v) => valid.includes(v)) : undefined; // not `constructor`
  if (foreign !== undefined) return foreign;
  const norm = (s: string) => s.replace(/[_-]/g, '').toLowerCase();
  const same = valid.find((v) => norm(v) === norm(key)); // weight_decay, keepDim, LR
  if (same !== undefined) return same;
  let best: string | undefined, bestDistance = Infinity;
  for (const v of valid) {
    const d = editDistance(norm(key), norm(v));
    if (d < bestDistance) [best, bestDistance] = [v, d];
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** Damerau–Levenshtein (optimal string alignment): a swap of two letters (`bais`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

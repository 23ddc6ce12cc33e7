import { OptionError } from '../core/errors.js';

// Declarative option rules: each optimizer lists its options once (name, default, valid range),
// and the same table validates the constructor's defaults, every param group (at construction,
// in addParamGroup, in loadStateDict and before each step, so a scheduler that writes a bad lr
// is caught), and rejects misspelt option names.

/** How one option is checked. Number ranges are closed unless `open` says otherwise. */
export type OptionRule =
  | { type: 'number'; min: number; max?: number; open?: 'min' | 'max' | 'both'; required?: boolean }
  | { type: 'boolean' }
  | { type: 'betas' };

export type OptionRules = Record<string, OptionRule>;

/** lr ≥ 0, and required when the optimizer has no sensible default (SGD, Yogi, Lion, EMAMomentum). */
export const LR: OptionRule = { type: 'number', min: 0 };
export const LR_REQUIRED: OptionRule = { type: 'number', min: 0, required: true };
export const NON_NEGATIVE: OptionRule = { type: 'number', min: 0 };
export const POSITIVE: OptionRule = { type: 'number', min: 0, open: 'min' };
export const UNIT: OptionRule = { type: 'number', min: 0, max: 1 };
export const UNIT_OPEN: OptionRule = { type: 'number', min: 0, max: 1, open: 'max' };
export const BOOLEAN: OptionRule = { type: 'boolean' };
export const BETAS: OptionRule = { type: 'betas' };

export function formatValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function rangeText(rule: Extract<OptionRule, { type: 'number' }>): string {
  const lo = rule.open === 'min' || rule.open === 'both' ? '(' : '[';
  const hi = rule.max === undefined || rule.open === 'max' || rule.open === 'both' ? ')' : ']';
  return `in ${lo}${rule.min}, ${rule.max ?? '∞'}${hi}`;
}

function inRange(x: number, rule: Extract<OptionRule, { type: 'number' }>): boolean {
  if (!Number.isFinite(x)) return false;
  const openMin = rule.open === 'min' || rule.open === 'both';
  const openMax = rule.open === 'max' || rule.open === 'both';
  if (openMin ? !(x > rule.min) : !(x >= rule.min)) return false;
  if (rule.max !== undefined && (openMax ? !(x < rule.max) : !(x <= rule.max))) return false;
  return true;
}

/** Throws OptionError naming `owner`, the option, the value and the valid range. */
export function checkOption(owner: string, name: string, value: unknown, rule: OptionRule): void {
  if (rule.type === 'boolean') {
    if (typeof value !== 'boolean') throw new OptionError(`${owner}: ${name} must be a boolean, got ${formatValue(value)}`);
    return;
  }
  if (rule.type === 'betas') {
    if (!Array.isArray(value) || value.length !== 2) {
      throw new OptionError(`${owner}: ${name} must be a pair [beta1, beta2] of numbers in [0, 1), got ${formatValue(value)}`);
    }
    for (let i = 0; i < 2; i++) {
      const b: unknown = value[i];
      if (typeof b !== 'number' || !(b >= 0 && b < 1)) {
        throw new OptionError(`${owner}: ${name}[${i}] must be in [0, 1), got ${formatValue(b)}`);
      }
    }
    return;
  }
  if (value === undefined && rule.required) {
    throw new OptionError(`${owner}: ${name} is required (a number ${rangeText(rule)})`);
  }
  if (typeof value !== 'number' || !inRange(value, rule)) {
    throw new OptionError(`${owner}: ${name} must be ${rangeText(rule)}, got ${formatValue(value)}`);
  }
}

/** Rejects option names that no rule knows (a misspelt `learningRate` would otherwise do nothing). */
export function checkKnownOptions(owner: string, options: object, rules: OptionRules, allowed: readonly string[] = []): void {
  for (const key of Object.keys(options)) {
    if (!(key in rules) && !allowed.includes(key)) {
      throw new OptionError(`${owner}: unknown option ${key} (valid: ${Object.keys(rules).join(', ')})`);
    }
  }
}

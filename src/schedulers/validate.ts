// Option checks shared by the schedulers. Each throws an OptionError that names the scheduler,
// the option, the value it got and the valid range, e.g. `StepLR: stepSize must be a positive
// integer, got 0`, so a user can fix the call without reading our source.
import { OptionError } from '../core/errors.js';
import type { SchedulableOptimizer } from './scheduler.js';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** An integer ≥ `min` (1 unless told). */
export function integerAtLeast(owner: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const range = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
    throw new OptionError(`${owner}: ${name} must be ${range}, got ${show(value)}`);
  }
  return value;
}

/**
 * A finite number in a range. `min`/`max` are inclusive unless `minOpen`/`maxOpen`; the range is
 * spelled in the message as an interval, e.g. `(0, 1]`.
 */
export function numberIn(
  owner: string, name: string, value: unknown,
  range: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean } = {},
): number {
  const { min = -Infinity, max = Infinity, minOpen = false, maxOpen = false } = range;
  const ok = typeof value === 'number' && Number.isFinite(value) &&
    (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
  if (!ok) {
    let expected: string;
    if (min === -Infinity && max === Infinity) expected = 'a finite number';
    else if (max === Infinity) expected = `a finite number ${minOpen ? '>' : '≥'} ${min}`;
    else if (min === -Infinity) expected = `a finite number ${maxOpen ? '<' : '≤'} ${max}`;
    else expected = `in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new OptionError(`${owner}: ${name} must be ${expected}, got ${show(value)}`);
  }
  return value as number;
}

/** One of a few strings. */
export function oneOf<T extends string>(owner: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new OptionError(`${owner}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

export function boolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new OptionError(`${owner}: ${name} must be true or false, got ${show(value)}`);
  return value;
}

/**
 * A value given once for every param group or as a list with one entry per group (torch's
 * "float or list" options), checked entry by entry and returned as the per-group list.
 */
export function perGroup<T>(
  owner: string, name: string, value: T | readonly T[], groups: number,
  check: (name: string, v: unknown) => T,
): T[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new OptionError(`${owner}: ${name} has ${value.length} values, but the optimizer has ${groups} param group${groups === 1 ? '' : 's'}`);
    }
    return value.map((v, i) => check(`${name}[${i}]`, v));
  }
  const checked = check(name, value);
  return Array.from({ length: groups }, () => checked);
}

/** The structural optimizer every scheduler drives: a non-empty list of groups with a finite lr. */
export function checkOptimizer(owner: string, optimizer: unknown): SchedulableOptimizer {
  const groups = (optimizer as SchedulableOptimizer | undefined)?.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new OptionError(`${owner}: optimizer must have a non-empty paramGroups list, got ${optimizer === null ? 'null' : typeof optimizer}`);
  }
  groups.forEach((g, i) => numberIn(owner, `optimizer.paramGroups[${i}].lr`, g?.lr));
  return optimizer as SchedulableOptimizer;
}

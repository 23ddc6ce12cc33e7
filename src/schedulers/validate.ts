// What the schedulers share on top of the vocabulary of core/validate.ts: the `lastEpoch` every
// schedule takes, torch's "one value or one per param group" options, and the structural
// optimizer every scheduler drives.
import { OptionError } from '../core/errors.js';
import { FINITE, anyOf, arrayOf, checkOptions, checkValue, int, type Rule, type Rules } from '../core/validate.js';
import type { SchedulableOptimizer } from './scheduler.js';

/** -1 starts a schedule; more resumes one. */
export const LAST_EPOCH = int(-1);

/** A rule for torch's "float or list" options: `rule` once for every group, or a list of them. */
export const perGroupOf = (rule: Rule): Rule => anyOf(rule, arrayOf(rule));

/**
 * Checks a scheduler's options against `rules` (plus `lastEpoch`): unknown keys and invalid values
 * are rejected before the optimizer is touched.
 */
export function checkSchedulerOptions<T extends object>(owner: string, options: unknown, rules: Rules): Partial<T> {
  return checkOptions<T>(owner, options, { ...rules, lastEpoch: LAST_EPOCH });
}

/**
 * A value given once for every param group or as a list with one entry per group (already
 * checked against its rule), returned as the per-group list.
 */
export function perGroup<T>(owner: string, name: string, value: T | readonly T[], groups: number): T[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new OptionError(`${owner}: ${name} has ${value.length} values, but the optimizer has ${groups} param group${groups === 1 ? '' : 's'}`);
    }
    return value.slice();
  }
  return Array.from({ length: groups }, () => value as T);
}

/** The structural optimizer every scheduler drives: a non-empty list of groups with a finite lr. */
export function checkOptimizer(owner: string, optimizer: unknown): SchedulableOptimizer {
  const groups = (optimizer as SchedulableOptimizer | undefined)?.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new OptionError(`${owner}: optimizer must have a non-empty paramGroups list, got ${optimizer === null ? 'null' : typeof optimizer}`);
  }
  groups.forEach((g, i) => checkValue(owner, `optimizer.paramGroups[${i}].lr`, g?.lr, { ...FINITE, required: true }));
  return optimizer as SchedulableOptimizer;
}

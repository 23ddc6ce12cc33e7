// The optimizers' option rules are the shared vocabulary of src/core/validate.ts; this module keeps
// the rules the optimizers use and the strict check their param groups need.
import { checkValue, required, type Rule } from '../core/validate.js';

export { BETAS, BOOLEAN, LR, LR_REQUIRED, NON_NEGATIVE, POSITIVE, UNIT, UNIT_OPEN } from '../core/validate.js';

/**
 * Checks one option of a param group. Unlike `checkValue`, `undefined` is an error: every group
 * holds every option (its defaults filled in), so a missing one means something overwrote it.
 */
export function checkOption(owner: string, name: string, value: unknown, rule: Rule): void {
  checkValue(owner, name, value, value === undefined ? required(rule) : rule);
}

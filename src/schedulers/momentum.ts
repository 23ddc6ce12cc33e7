// Momentum cycled against the learning rate, for CyclicLR and OneCycleLR: high while the lr is
// low and low at the lr's peak (Smith 2018, https://arxiv.org/abs/1803.09820). As torch, it is
// written to `momentum` (SGD, RMSprop) or to `betas[0]` (Adam and kin), keeping β2.
import { OptionError } from '../core/errors.js';
import type { SchedulableOptimizer, SchedulableParamGroup } from './scheduler.js';
import { BOOLEAN, UNIT } from '../core/validate.js';
import { perGroup, perGroupOf } from './validate.js';

export interface MomentumOptions {
  /** Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak, per group or for all. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the lr's trough, per group or for all. */
  maxMomentum?: number | readonly number[];
}

/** The rules of MomentumOptions, for the schedulers that take them. */
export const MOMENTUM_RULES = { cycleMomentum: BOOLEAN, baseMomentum: perGroupOf(UNIT), maxMomentum: perGroupOf(UNIT) };

/** Per group: the field that holds the momentum, and its two bounds. */
export interface MomentumCycle {
  fields: ('momentum' | 'beta1')[];
  base: number[];
  max: number[];
}

/**
 * Reads the momentum options, already checked against MOMENTUM_RULES (null when `cycleMomentum`
 * is false) and, when a schedule starts
 * (`lastEpoch` -1), sets every group's momentum to its maximum, as torch does.
 */
export function momentumCycle(
  owner: string, optimizer: SchedulableOptimizer, options: MomentumOptions & { lastEpoch?: number },
  defaults: { base: number; max: number },
): MomentumCycle | null {
  if (!(options.cycleMomentum ?? true)) return null;
  const groups = optimizer.paramGroups;
  const fields = groups.map((g, i) => {
    if (Array.isArray(g.betas)) return 'beta1' as const;
    if (typeof g.momentum === 'number') return 'momentum' as const;
    throw new OptionError(
      `${owner}: cycleMomentum needs param groups with momentum or betas, but optimizer.paramGroups[${i}] has neither; ` +
        'pass cycleMomentum: false',
    );
  });
  const cycle: MomentumCycle = {
    fields,
    base: perGroup(owner, 'baseMomentum', options.baseMomentum ?? defaults.base, groups.length),
    max: perGroup(owner, 'maxMomentum', options.maxMomentum ?? defaults.max, groups.length),
  };
  if ((options.lastEpoch ?? -1) === -1) setMomentum(optimizer, cycle, (_, max) => max);
  return cycle;
}

/** Writes `value(base, max)` of each group as its momentum (or β1). */
export function setMomentum(
  optimizer: SchedulableOptimizer, cycle: MomentumCycle, value: (base: number, max: number) => number,
): void {
  optimizer.paramGroups.forEach((g: SchedulableParamGroup, i) => {
    const m = value(cycle.base[i], cycle.max[i]);
    if (cycle.fields[i] === 'beta1') g.betas = [m, (g.betas as readonly [number, number])[1]];
    else g.momentum = m;
  });
}

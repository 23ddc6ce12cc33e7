import { OptionError } from '../core/errors.js';
import type { Optimizer } from '../optim/index.js';
import { StepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau } from '../schedulers/index.js';

// The schedulers as the command line and the demo offer them, by name. Browser-safe.

export interface SchedulerFlags {
  stepSize?: number;
  gamma?: number;
  tMax?: number;
  factor?: number;
  patience?: number;
}

/** What the flag-driven schedulers take when their flags are not given (shown by `descent train --help`). */
export const SCHEDULER_DEFAULTS = { step: { stepSize: 3, gamma: 0.5 }, exponential: { gamma: 0.9 }, plateau: { factor: 0.1, patience: 2 } };

export const SCHEDULER_NAMES = ['none', 'step', 'exponential', 'cosine', 'onecycle', 'plateau'];

/** Builds a scheduler; returns it with when it steps (OneCycleLR steps per batch). */
export function makeScheduler(name: string, optimizer: Optimizer, flags: SchedulerFlags, epochs: number, batchesPerEpoch: number) {
  const lr = optimizer.paramGroups[0].lr;
  const d = SCHEDULER_DEFAULTS;
  switch (name) {
    case 'none': return { scheduler: null, per: 'epoch' as const };
    case 'step': return { scheduler: new StepLR(optimizer, { stepSize: flags.stepSize ?? d.step.stepSize, gamma: flags.gamma ?? d.step.gamma }), per: 'epoch' as const };
    case 'exponential': return { scheduler: new ExponentialLR(optimizer, { gamma: flags.gamma ?? d.exponential.gamma }), per: 'epoch' as const };
    case 'cosine': return { scheduler: new CosineAnnealingLR(optimizer, { tMax: flags.tMax ?? epochs }), per: 'epoch' as const };
    case 'onecycle': {
      // Momentum (or β1) is cycled where the optimizer has one; Adagrad and Adadelta have neither.
      const group = optimizer.paramGroups[0] as { betas?: unknown; momentum?: unknown };
      const cycleMomentum = Array.isArray(group.betas) || typeof group.momentum === 'number';
      return { scheduler: new OneCycleLR(optimizer, { maxLr: lr, totalSteps: epochs * batchesPerEpoch, cycleMomentum }), per: 'batch' as const };
    }
    case 'plateau': return { scheduler: new ReduceLROnPlateau(optimizer, { factor: flags.factor ?? d.plateau.factor, patience: flags.patience ?? d.plateau.patience }), per: 'epoch' as const };
    default: throw new OptionError(`unknown scheduler '${name}'; choose one of ${SCHEDULER_NAMES.join(', ')}`);
  }
}

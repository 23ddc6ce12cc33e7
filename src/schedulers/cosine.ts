// Cosine annealing (SGDR, Loshchilov & Hutter 2017, https://arxiv.org/abs/1608.03983), without
// and with warm restarts.
import { OptionError } from '../core/errors.js';
import { LRScheduler, type SchedulableOptimizer } from './scheduler.js';
import type { ResumeOptions } from './step.js';
import { NON_NEGATIVE, POSITIVE_INT, render, required } from '../core/validate.js';
import { checkSchedulerOptions } from './validate.js';

export interface CosineAnnealingLROptions extends ResumeOptions { tMax: number; etaMin?: number }

/**
 * `lr = ηmin + (lr₀ − ηmin)(1 + cos(π·t/tMax))/2`: half a cosine from lr₀ down to `etaMin` over
 * `tMax` epochs. Stepped past `tMax` it rises again (period 2·tMax), as torch's does.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    const o = checkSchedulerOptions<CosineAnnealingLROptions>('CosineAnnealingLR', options, { tMax: required(POSITIVE_INT), etaMin: NON_NEGATIVE });
    super(optimizer, o.lastEpoch);
    this.tMax = o.tMax as number;
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }

  // torch's recursion: the ratio of consecutive cosine factors applied to (lr − ηmin). Where the
  // previous factor is 0 (t − 1 = tMax mod 2·tMax) the ratio is undefined and the step is added.
  protected getLr(): number[] {
    const { tMax: T, etaMin, lastEpoch: t } = this;
    const groups = this.optimizer.paramGroups;
    if (this.isInitial) return groups.map((g) => g.lr);
    if ((t - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T));
    return groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { tMax: T, etaMin, lastEpoch: t } = this;
    return this.baseLrs.map((lr) => etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }
}

export interface CosineAnnealingWarmRestartsOptions extends ResumeOptions { t0: number; tMult?: number; etaMin?: number }

/**
 * `lr = ηmin + (lr₀ − ηmin)(1 + cos(π·Tcur/Ti))/2`, restarting at lr₀ when `Tcur` reaches `Ti`;
 * the first period is `t0` epochs and each next one `tMult` times longer.
 *
 * `step(epoch)` jumps to a (possibly fractional) epoch, so the rate can move every batch:
 * `sched.step(epoch + i / batchesPerEpoch)`.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tMult: number;
  etaMin: number;
  /** The length of the current period. */
  tI: number;
  /** Epochs since the last restart (fractional after `step(epoch)` with a fraction). */
  tCur: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    const o = checkSchedulerOptions<CosineAnnealingWarmRestartsOptions>('CosineAnnealingWarmRestarts', options, {
      t0: required(POSITIVE_INT), tMult: POSITIVE_INT, etaMin: NON_NEGATIVE,
    });
    super(optimizer, o.lastEpoch);
    this.t0 = o.t0 as number;
    this.tMult = o.tMult ?? 1;
    this.etaMin = o.etaMin ?? 0;
    this.tI = this.t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur %= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (typeof epoch !== 'number' || !(epoch >= 0) || !Number.isFinite(epoch)) {
        throw new OptionError(`CosineAnnealingWarmRestarts: step(epoch) needs a finite epoch ≥ 0, got ${render(epoch)}`);
      }
      this.moveTo(epoch);
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.getLr());
  }

  /** Finds the period that contains `epoch`: periods t0, t0·m, t0·m², … start at t0(mⁿ − 1)/(m − 1). */
  private moveTo(epoch: number): void {
    const { t0, tMult: m } = this;
    if (epoch < t0) {
      this.tI = t0;
      this.tCur = epoch;
    } else if (m === 1) {
      this.tI = t0;
      this.tCur = epoch % t0;
    } else {
      const n = Math.trunc(Math.log((epoch / t0) * (m - 1) + 1) / Math.log(m));
      this.tCur = epoch - (t0 * (m ** n - 1)) / (m - 1);
      this.tI = t0 * m ** n;
    }
  }

  protected getLr(): number[] {
    const cos = 1 + Math.cos((Math.PI * this.tCur) / this.tI);
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * cos) / 2);
  }

  override restart(): void {
    this.step(0);
  }
}

// Whether a call the threads build could split across the pool is faster split or on the calling
// thread alone is not a property of its size: it depends on the machine, on what else runs (another
// process keeping a core busy makes a split call wait for a descheduled worker), on whether the
// workers are still polling from the previous call. So it is measured, per call shape: both ways
// are timed, the faster is used, and the other is tried again now and then in case the answer
// changed. Either way the bits are the same (a chunk's arithmetic does not depend on the thread
// that runs it), so the choice is free to change at any call.

/**
 * Timings kept per way of running a call. The estimate is their mean without the longest: one
 * hiccup (a thread descheduled for a millisecond, which an idle virtual machine does now and then)
 * moves nothing, while a tail that recurs — a split call that, beside a busy process, now and then
 * waits for a worker descheduled in the middle of its chunk — counts as the cost it is.
 */
const SAMPLES = 8;
/** Calls between two tries of the way not chosen: this at first and after a change of mind... */
const FIRST_PROBE_GAP = 4;
/** ...doubling each time the try confirms the choice, up to this (a try that beats the chosen way's estimate without overturning it starts again from FIRST_PROBE_GAP). */
const MAX_PROBE_GAP = 64;

/** One call shape's timings and current choice. */
class Site {
  private readonly times = [new Float64Array(SAMPLES).fill(NaN), new Float64Array(SAMPLES).fill(NaN)];
  private readonly next = [0, 0];
  private readonly seen = [0, 0];
  private chosen = 1;
  private gap = FIRST_PROBE_GAP;
  private untilProbe = 0;

  /** Whether to split this call: the chosen way, or a try of the other. */
  split(): boolean {
    // Until each way has its samples, alternate.
    if (this.seen[0] < SAMPLES || this.seen[1] < SAMPLES) return this.seen[1] <= this.seen[0];
    if (this.untilProbe-- > 0) return this.chosen === 1;
    return this.chosen === 0;
  }

  record(split: boolean, ms: number): void {
    const way = split ? 1 : 0;
    this.times[way][this.next[way]] = ms;
    this.next[way] = (this.next[way] + 1) % SAMPLES;
    this.seen[way]++;
    if (this.seen[0] < SAMPLES || this.seen[1] < SAMPLES) return;
    const chosenEstimate = estimate(this.times[this.chosen]);
    const better = estimate(this.times[1]) < estimate(this.times[0]) ? 1 : 0;
    const probed = way !== this.chosen;
    if (better !== this.chosen) {
      this.chosen = better;
      this.gap = FIRST_PROBE_GAP;
      this.untilProbe = this.gap;
    } else if (probed) {
      // A try that beat the chosen way's estimate says the other way's older samples may be stale
      // (taken during a burst of preemptions, say): try again soon, so that they are replaced in
      // a few dozen calls rather than hundreds. A try that lost confirms the choice.
      this.gap = ms < chosenEstimate ? FIRST_PROBE_GAP : Math.min(MAX_PROBE_GAP, this.gap * 2);
      this.untilProbe = this.gap;
    }
  }

  /** The current choice and the two estimates, for tests and benchmarks. */
  describe(): { split: boolean; serialMs: number; splitMs: number } {
    return { split: this.chosen === 1, serialMs: estimate(this.times[0]), splitMs: estimate(this.times[1]) };
  }
}

/** The mean of SAMPLES timings but the longest (NaN until there are that many). */
function estimate(a: Float64Array): number {
  let sum = 0, longest = 0;
  for (let i = 0; i < SAMPLES; i++) {
    sum += a[i];
    longest = Math.max(longest, a[i]);
  }
  return (sum - longest) / (SAMPLES - 1);
}

/** The sites of every call shape seen, by a key the caller makes from the kernel and its sizes. */
export class SplitChooser {
  private readonly sites = new Map<string, Site>();

  site(key: string): Site {
    let site = this.sites.get(key);
    if (!site) this.sites.set(key, (site = new Site()));
    return site;
  }

  /** Every site's choice, for tests and benchmarks. */
  describe(): Record<string, ReturnType<Site['describe']>> {
    return Object.fromEntries([...this.sites].map(([key, site]) => [key, site.describe()]));
  }
}

export type { Site as SplitSite };

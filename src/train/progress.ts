import { checkOptions, instanceOf } from '../core/validate.js';
import type { BatchLogs, Callback, EpochLogs, TrainingContext } from './callbacks.js';

const RULES = { stream: { ...instanceOf(Object, 'stream'), description: 'a stream with write(text)' } };

/** Where a ProgressBar writes: a terminal draws a live bar (isTTY), anything else gets a line per epoch. */
export type Stream = { isTTY?: boolean; write(s: string): unknown };

const WIDTH = 40; // characters of the bar itself
const REDRAW_MS = 100; // at most ten redraws a second

/** Seconds as `7s`, `2m05s` or `1h02m` for the ETA. */
function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A live progress bar per epoch in a terminal: loss, samples/s and ETA, then a summary line per
 * epoch. When the output is not a TTY (a log file, CI) it prints only the summary lines. It writes
 * ANSI escapes to the stream itself (no dependency, nothing Node-only), so it bundles for a page
 * too; the browser demo draws its own.
 */
export class ProgressBar implements Callback {
  private epochStart = 0;
  private samples = 0;
  private lossSum = 0;
  private batches = 0;
  private lastDraw = 0;
  private drawn = false;
  private epoch = 0;
  private readonly stream: Stream | undefined;
  private readonly tty: boolean;

  constructor(options?: { stream?: Stream }) {
    const o = checkOptions<{ stream: Stream }>('ProgressBar', options, RULES);
    this.stream = o.stream ?? (typeof process !== 'undefined' ? process.stderr : undefined);
    this.tty = !!this.stream?.isTTY;
  }

  private write(line: string): void {
    if (this.stream) this.stream.write(line + '\n');
    else console.log(line);
  }

  /** Clears the bar's line (and shows the cursor again) if a bar is on screen. */
  private clear(): void {
    if (!this.drawn) return;
    this.stream?.write('\r\x1b[2K\x1b[?25h');
    this.drawn = false;
  }

  private draw(done: number, total: number): void {
    const seconds = (performance.now() - this.epochStart) / 1000;
    const filled = total > 0 ? Math.min(WIDTH, Math.round((done / total) * WIDTH)) : 0;
    const bar = '\u2588'.repeat(filled) + '\u2591'.repeat(WIDTH - filled);
    const loss = this.batches > 0 ? (this.lossSum / this.batches).toFixed(4) : '-';
    const rate = this.samples > 0 ? String(Math.round(this.samples / Math.max(seconds, 1e-9))) : '-';
    const eta = done > 0 ? formatEta((seconds / done) * (total - done)) : '-';
    this.stream?.write(`\r\x1b[2K${this.drawn ? '' : '\x1b[?25l'} epoch ${this.epoch} |${bar}| ${done}/${total} batches | loss ${loss} | ${rate} samples/s | ETA ${eta}`);
    this.drawn = true;
    this.lastDraw = performance.now();
  }

  onTrainBegin(): void {
    this.drawn = false;
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    this.epochStart = performance.now();
    this.samples = 0;
    this.lossSum = 0;
    this.batches = 0;
    this.epoch = epoch + 1;
    void ctx;
  }

  onBatchEnd(logs: BatchLogs): void {
    this.samples += logs.samples;
    this.lossSum += logs.loss;
    this.batches++;
    if (!this.tty) return;
    const last = logs.batch + 1 === logs.batches;
    if (logs.batch === 0 || last || performance.now() - this.lastDraw >= REDRAW_MS) this.draw(logs.batch + 1, logs.batches);
  }

  onEpochEnd(logs: EpochLogs, ctx: TrainingContext): void {
    this.clear();
    const parts = [`epoch ${String(logs.epoch + 1).padStart(String(ctx.epochs).length)}/${ctx.epochs}`, `loss ${logs.loss.toFixed(4)}`];
    if (logs.accuracy !== undefined) parts.push(`acc ${(logs.accuracy * 100).toFixed(2)}%`);
    if (logs.valLoss !== undefined) parts.push(`val_loss ${logs.valLoss.toFixed(4)}`);
    if (logs.valAccuracy !== undefined) parts.push(`val_acc ${(logs.valAccuracy * 100).toFixed(2)}%`);
    parts.push(`lr ${logs.lr.toPrecision(3)}`, `${Math.round(logs.samplesPerSecond).toLocaleString('en-US')} samples/s`, `${logs.time.toFixed(2)} s`);
    this.write(parts.join('  '));
  }

  onTrainEnd(): void {
    this.clear();
  }
}

import { checkOptions, instanceOf } from '../core/validate.js';
import type { BatchLogs, Callback, EpochLogs, TrainingContext } from './callbacks.js';

const RULES = { stream: { ...instanceOf(Object, 'stream'), description: 'a stream with write(text)' } };

type Bar = { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void; stop(): void };

/**
 * A live progress bar per epoch in a terminal (cli-progress): loss, samples/s and ETA, then a
 * summary line per epoch. When the output is not a TTY (a log file, CI) it prints only the
 * summary lines. Node only; the browser demo draws its own.
 */
export class ProgressBar implements Callback {
  private bar: Bar | null = null;
  private epochStart = 0;
  private samples = 0;
  private lossSum = 0;
  private batches = 0;
  private readonly tty: boolean;
  private readonly write: (line: string) => void;

  constructor(options?: { stream?: { isTTY?: boolean; write(s: string): unknown } }) {
    const o = checkOptions<{ stream: { isTTY?: boolean; write(s: string): unknown } }>('ProgressBar', options, RULES);
    const stream = o.stream ?? (typeof process !== 'undefined' ? process.stderr : undefined);
    this.tty = !!stream?.isTTY;
    this.write = (line) => {
      if (stream) stream.write(line + '\n');
      else console.log(line);
    };
  }

  async onTrainBegin(): Promise<void> {
    if (!this.tty) return;
    const { SingleBar, Presets } = (await import(/* @vite-ignore */ 'cli-progress')).default;
    this.bar = new SingleBar({
      format: ' epoch {epoch} |{bar}| {value}/{total} batches | loss {loss} | {rate} samples/s | ETA {eta_formatted}',
      hideCursor: true, clearOnComplete: true, etaBuffer: 50,
    }, Presets.shades_classic) as unknown as Bar;
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    this.epochStart = performance.now();
    this.samples = 0;
    this.lossSum = 0;
    this.batches = 0;
    void ctx;
    this.bar?.start(1, 0, { epoch: epoch + 1, loss: '-', rate: '-' });
  }

  onBatchEnd(logs: BatchLogs): void {
    this.samples += logs.samples;
    this.lossSum += logs.loss;
    this.batches++;
    if (!this.bar) return;
    if (logs.batch === 0) (this.bar as unknown as { setTotal(n: number): void }).setTotal(logs.batches);
    if (logs.batch % 10 === 0 || logs.batch + 1 === logs.batches) {
      const seconds = (performance.now() - this.epochStart) / 1000;
      this.bar.update(logs.batch + 1, { loss: (this.lossSum / this.batches).toFixed(4), rate: Math.round(this.samples / Math.max(seconds, 1e-9)) });
    }
  }

  onEpochEnd(logs: EpochLogs, ctx: TrainingContext): void {
    this.bar?.stop();
    const parts = [`epoch ${String(logs.epoch + 1).padStart(String(ctx.epochs).length)}/${ctx.epochs}`, `loss ${logs.loss.toFixed(4)}`];
    if (logs.accuracy !== undefined) parts.push(`acc ${(logs.accuracy * 100).toFixed(2)}%`);
    if (logs.valLoss !== undefined) parts.push(`val_loss ${logs.valLoss.toFixed(4)}`);
    if (logs.valAccuracy !== undefined) parts.push(`val_acc ${(logs.valAccuracy * 100).toFixed(2)}%`);
    parts.push(`lr ${logs.lr.toPrecision(3)}`, `${Math.round(logs.samplesPerSecond).toLocaleString('en-US')} samples/s`, `${logs.time.toFixed(2)} s`);
    this.write(parts.join('  '));
  }

  onTrainEnd(): void {
    this.bar?.stop();
  }
}

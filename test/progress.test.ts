import { describe, it, expect, beforeAll } from 'vitest';
import { init, Sequential, Linear, MSELoss, SGD, tensor, manualSeed, ProgressBar } from '../src/index.js';

// The terminal bar writes its own ANSI escapes (no cli-progress), so it runs in a page as well.
function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => { chunks.push(s); return true; } } };
}

async function trainWith(bar: ProgressBar): Promise<void> {
  manualSeed(0);
  const model = new Sequential([new Linear(2, 1)]);
  const x = tensor(Array.from({ length: 40 }, (_, i) => [i / 40, 1 - i / 40]));
  const y = tensor(Array.from({ length: 40 }, (_, i) => [i / 20]));
  await model.fit(x, y, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 2, batchSize: 8, callbacks: [bar] });
  x.dispose(); y.dispose(); model.dispose();
}

describe('ProgressBar', () => {
  beforeAll(() => init());

  it('on a TTY draws a bar per epoch (first and last batch at least), clears it, then prints the summary line', async () => {
    const { chunks, stream } = recorder(true);
    await trainWith(new ProgressBar({ stream }));
    const text = chunks.join('');
    // 40 samples in batches of 8: 5 batches; the first batch's bar is 8 of 40 cells full.
    expect(text).toContain(' epoch 1 |' + '\u2588'.repeat(8) + '\u2591'.repeat(32) + '| 1/5 batches | loss ');
    expect(text).toContain(' epoch 2 |' + '\u2588'.repeat(40) + '| 5/5 batches | loss ');
    const lines = text.split('\n').filter((l) => l !== '');
    const summaries = lines.map((l) => l.slice(l.lastIndexOf('\x1b[?25h') + (l.includes('\x1b[?25h') ? 6 : 0)));
    expect(summaries.filter((l) => /^epoch [12]\/2  loss \d\.\d{4}  lr 0\.100  [\d,]+ samples\/s  \d+\.\d\d s$/.test(l))).toHaveLength(2);
    expect(text.endsWith('\n')).toBe(true); // the bar is cleared before each summary line
    expect(text.split('\x1b[?25l').length - 1).toBe(2); // cursor hidden once per epoch…
    expect(text.split('\x1b[?25h').length - 1).toBe(2); // …and shown again
  });

  it('off a TTY prints only the summary lines', async () => {
    const { chunks, stream } = recorder(false);
    await trainWith(new ProgressBar({ stream }));
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatch(/^epoch 1\/2  loss \d\.\d{4}  lr 0\.100  [\d,]+ samples\/s  \d+\.\d\d s\n$/);
    expect(chunks.join('')).not.toContain('\x1b');
  });
});

import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descent } from './cli-helpers.js';

// `descent schedule`: the table, the SVG, and one-line errors with exit code 2.
const dir = mkdtempSync(join(tmpdir(), 'descent-schedule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** The [step, lr] rows of the printed table. */
function rows(out: string): [number, number][] {
  return out.split('\n').filter((l) => /^\s*\d+\s/.test(l)).map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
}

describe('descent schedule', () => {
  it('prints the cosine schedule as a table and writes its plot', async () => {
    const file = join(dir, 'cos.svg');
    const { code, out } = await descent('schedule', 'cosine', '--lr', '0.1', '--t-max', '50', '--steps', '100', '--out', file);
    expect(code).toBe(0);
    expect(out).toContain('new CosineAnnealingLR(optimizer, { tMax: 50 })');
    const table = rows(out);
    expect(table[0]).toEqual([0, 0.1]);
    expect(table[table.length - 1][0]).toBe(99);
    for (const [t, lr] of table) expect(lr).toBeCloseTo((0.1 * (1 + Math.cos((Math.PI * t) / 50))) / 2, 6);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('CosineAnnealingLR');
  });

  it('prints every step up to 30, with the momentum of a schedule that cycles it', async () => {
    const { code, out } = await descent('schedule', 'onecycle', '--max-lr', '0.5', '--steps', '12', '--out', join(dir, 'one.svg'));
    expect(code).toBe(0);
    expect(out).toMatch(/step\s+lr\s+momentum/);
    expect(rows(out).map((r) => r[0])).toEqual([...Array(12).keys()]);
    expect(rows(out)[0]).toEqual([0, 0.02, 0.95]);
  });

  it('plots the main schedules side by side with --compare', async () => {
    const file = join(dir, 'all.svg');
    const { code } = await descent('schedule', '--compare', '--steps', '40', '--out', file);
    expect(code).toBe(0);
    const svg = readFileSync(file, 'utf8');
    for (const name of ['StepLR', 'ExponentialLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'OneCycleLR', 'CyclicLR', 'LinearLR']) {
      expect(svg).toContain(name);
    }
  });

  const bad: [string[], RegExp][] = [
    [['schedule', 'step'], /^descent: the step schedule needs --step-size/],
    [['schedule', 'step', '--step-size', '0'], /^descent: StepLR: stepSize must be an integer in \[1, ∞\), got 0$/],
    [['schedule', 'step', '--step-size', '2', '--t-max', '4'], /^descent: --t-max does not apply to the step schedule/],
    [['schedule', 'exponential', '--gamma', 'abc'], /^descent: option '--gamma <g>' argument 'abc' is invalid/],
    [['schedule', 'sawtooth'], /^descent: unknown schedule 'sawtooth'/],
    [['schedule'], /^descent: schedule needs a name/],
    [['schedule', 'cosine', '--steps', '0'], /^descent: --steps must be at least 1/],
    [['schedule', 'onecycle', '--total-steps', '5', '--steps', '9'], /^descent: OneCycleLR: step\(\) called 6 times/],
    [['schedule', 'lambda', '--lambda', 'nope(epoch)'], /^descent: --lambda "nope\(epoch\)" failed at epoch 0/],
  ];
  for (const [args, message] of bad) {
    it(`fails with one line and exit code 2: descent ${args.join(' ')}`, async () => {
      const { code, err } = await descent(...args, '--out', join(dir, 'bad.svg'));
      expect(code).toBe(2);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err.trimEnd()).toMatch(message);
    });
  }

  it('writes no plot when the schedule fails', () => {
    expect(existsSync(join(dir, 'bad.svg'))).toBe(false);
  });
});

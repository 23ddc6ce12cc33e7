import { describe, it, expect, afterAll, beforeAll, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descent } from './cli-helpers.js';
import { init } from '../src/backend/init.js';
import { SGD, Adam } from '../src/optim/index.js';
import {
  trajectory, DEFAULT_STEPS, FUNCTIONS, LEARNING_RATES, QUADRATIC_HESSIAN, quadratic, rosenbrock, saddle,
} from '../src/catalog/index.js';

// `descent compare`: the test functions' gradients, the trajectories against float64 references,
// the promises of the lr table, the SVGs, and one-line errors with exit code 2.
const dir = mkdtempSync(join(tmpdir(), 'descent-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await init();
});


/** The table rows of the printed output: optimizer name, then the cells. */
function rows(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const cells = line.trim().split(/\s{2,}/);
    if (/^[a-z]+$/.test(cells[0]) && cells.length >= 5 && cells[0] !== 'optimizer') map.set(cells[0], cells.slice(1));
  }
  return map;
}

describe('the 2-D test functions', () => {
  // Points inside each window, away from nothing in particular.
  const points: [number, number][] = [[-1.3, 0.7], [0.4, -1.1], [1.7, 1.9], [-0.2, 0.05], [2.5, 0.6], [0.9, -0.4]];
  for (const fn of FUNCTIONS) {
    it(`${fn.name}: the analytic gradient matches central differences`, () => {
      const h = 1e-5;
      for (const [x, y] of points) {
        const [gx, gy] = fn.grad(x, y);
        const dx = (fn.f(x + h, y) - fn.f(x - h, y)) / (2 * h);
        const dy = (fn.f(x, y + h) - fn.f(x, y - h)) / (2 * h);
        const scale = Math.max(1, Math.abs(gx), Math.abs(gy));
        expect(Math.abs(gx - dx) / scale).toBeLessThan(1e-7);
        expect(Math.abs(gy - dy) / scale).toBeLessThan(1e-7);
      }
    });

    it(`${fn.name}: the minima are stationary with value f*, below the start`, () => {
      for (const [x, y] of fn.minima) {
        expect(fn.f(x, y)).toBeCloseTo(fn.fMin, 12);
        const [gx, gy] = fn.grad(x, y);
        expect(Math.hypot(gx, gy)).toBeLessThan(1e-12);
      }
      expect(fn.f(...fn.start)).toBeGreaterThan(fn.fMin);
      const { x, y } = fn.window;
      expect(fn.start[0]).toBeGreaterThan(x[0]); expect(fn.start[0]).toBeLessThan(x[1]);
      expect(fn.start[1]).toBeGreaterThan(y[0]); expect(fn.start[1]).toBeLessThan(y[1]);
    });
  }

  it('the quadratic has condition number 50 and a rotated Hessian', () => {
    const { a, b, d } = QUADRATIC_HESSIAN;
    const mean = (a + d) / 2, radius = Math.hypot((a - d) / 2, b);
    expect(mean + radius).toBeCloseTo(50, 12);
    expect(mean - radius).toBeCloseTo(1, 12);
    expect(Math.abs(b)).toBeGreaterThan(1); // not axis-aligned
  });

  it('the saddle function has a saddle at the origin: zero gradient, f curving up in x and down in y', () => {
    expect(Math.hypot(...saddle.grad(0, 0))).toBe(0);
    expect(saddle.f(0.1, 0)).toBeGreaterThan(0);
    expect(saddle.f(0, 0.1)).toBeLessThan(0);
  });
});

describe('trajectories drive the library optimizers', () => {
  it('plain gradient descent on the quadratic follows x ← x − lr·Hx (float64) to float32 precision', () => {
    const lr = LEARNING_RATES.quadratic.sgd, steps = 300;
    const run = trajectory(quadratic, 'sgd', lr, steps);
    expect(run.xs).toHaveLength(steps + 1);
    const { a, b, d } = QUADRATIC_HESSIAN;
    let [x, y] = quadratic.start;
    let worst = 0;
    for (let k = 0; k <= steps; k++) {
      // float32 steps round each coordinate to 2⁻²⁴ relative; the recurrence contracts (|1 − lr·λ| < 1), so errors do not grow.
      worst = Math.max(worst, Math.abs(run.xs[k] - x) / Math.max(1e-3, Math.abs(x)), Math.abs(run.ys[k] - y) / Math.max(1e-3, Math.abs(y)));
      expect(Math.abs(run.xs[k] - x)).toBeLessThan(2e-6 * Math.max(1, Math.abs(x)) + 1e-7);
      expect(Math.abs(run.ys[k] - y)).toBeLessThan(2e-6 * Math.max(1, Math.abs(y)) + 1e-7);
      [x, y] = [x - lr * (a * x + b * y), y - lr * (b * x + d * y)];
    }
    expect(run.losses[steps]).toBeCloseTo(quadratic.f(run.xs[steps], run.ys[steps]), 15);
    expect(worst).toBeLessThan(1e-4);
  });

  it('the command calls optimizer.step() once per step, and prints the recurrence’s final loss', async () => {
    const stepSpy = vi.spyOn(SGD.prototype, 'step');
    const adamSpy = vi.spyOn(Adam.prototype, 'step');
    try {
      const { code, out } = await descent('compare', 'functions', '--function', 'quadratic', '--optimizers', 'sgd,adam', '--steps', '40', '--out', dir);
      expect(code).toBe(0);
      expect(stepSpy).toHaveBeenCalledTimes(40);
      expect(adamSpy).toHaveBeenCalledTimes(40);
      const lr = LEARNING_RATES.quadratic.sgd;
      const { a, b, d } = QUADRATIC_HESSIAN;
      let [x, y] = quadratic.start;
      for (let k = 0; k < 40; k++) [x, y] = [x - lr * (a * x + b * y), y - lr * (b * x + d * y)];
      const sgd = rows(out).get('sgd')!;
      expect(Number(sgd[0])).toBe(lr);
      expect(Number(sgd[1])).toBeCloseTo(quadratic.f(x, y), 1 - Math.floor(Math.log10(quadratic.f(x, y))));
    } finally {
      stepSpy.mockRestore();
      adamSpy.mockRestore();
    }
  });

  // What the lr table promises on Rosenbrock (docs/compare.md): momentum, Nesterov, Adam and Yogi
  // reach f − f* ≤ 1e-6 within the 2000-step budget; plain SGD does not.
  for (const [name, reaches] of [['momentum', true], ['nesterov', true], ['adam', true], ['yogi', true], ['sgd', false]] as const) {
    it(`${name} ${reaches ? 'reaches' : 'does not reach'} the Rosenbrock minimum within ${DEFAULT_STEPS.rosenbrock} steps`, () => {
      const run = trajectory(rosenbrock, name, LEARNING_RATES.rosenbrock[name], DEFAULT_STEPS.rosenbrock);
      expect(run.divergedAt).toBeNull();
      const hit = run.losses.findIndex((l) => l <= 1e-6);
      if (reaches) {
        expect(hit).toBeGreaterThan(0);
        expect(Math.hypot(run.xs.at(-1)! - 1, run.ys.at(-1)! - 1)).toBeLessThan(1e-2);
      } else {
        expect(hit).toBe(-1);
      }
    });
  }

  it('at the saddle, the adaptive methods leave long before plain gradient descent', () => {
    const escape = (name: string) => trajectory(saddle, name, LEARNING_RATES.saddle[name], 500).losses.findIndex((l) => l < 0.5);
    const sgd = escape('sgd');
    expect(sgd).toBeGreaterThan(20);
    for (const name of ['adagrad', 'rmsprop', 'adam', 'yogi']) expect(escape(name)).toBeLessThan(sgd);
  });

  it('every optimizer on every function runs its budget without diverging at the table’s lr', () => {
    for (const fn of FUNCTIONS) {
      for (const name of Object.keys(LEARNING_RATES[fn.name])) {
        const run = trajectory(fn, name, LEARNING_RATES[fn.name][name], DEFAULT_STEPS[fn.name]);
        expect(run.divergedAt, `${name} on ${fn.name}`).toBeNull();
        expect(run.losses.at(-1)!, `${name} on ${fn.name}`).toBeLessThan(fn.f(...fn.start) - fn.fMin);
      }
    }
  });
});

describe('descent compare', () => {
  it('functions: prints a table per function and writes an SVG of trajectories and losses', async () => {
    const { code, out } = await descent('compare', 'functions', '--function', 'saddle', '--steps', '60', '--out', dir);
    expect(code).toBe(0);
    expect(out).toContain('60 steps from (-2, 0.001)');
    expect(out).toMatch(/optimizer\s+lr\s+final f − f\*\s+distance to min\s+steps to 1e-6\s+steps to f < −½/);
    expect([...rows(out).keys()]).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'yogi']);
    const svg = readFileSync(join(dir, 'compare-saddle.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of ['SGD  lr 0.1', 'Adam  lr 0.1', 'start', 'tol 1e-6']) expect(svg).toContain(label);
  });

  it('functions --lr overrides the table for the optimizers named', async () => {
    const { code, out } = await descent('compare', 'functions', '--function', 'beale', '--optimizers', 'sgd,adam', '--lr', 'adam=0.01', '--steps', '10', '--out', dir);
    expect(code).toBe(0);
    expect(rows(out).get('adam')![0]).toBe('0.01');
    expect(rows(out).get('sgd')![0]).toBe(String(LEARNING_RATES.beale.sgd));
  });

  it('mnist: the same initial weights for every optimizer, a table, and one SVG of the validation curves', async () => {
    const { code, out } = await descent('compare', 'mnist', '--epochs', '1', '--optimizers', 'sgd,adam', '--out', dir);
    expect(code).toBe(0);
    const table = rows(out);
    expect([...table.keys()]).toEqual(['sgd', 'adam']);
    for (const [, cells] of table) {
      expect(Number(cells[2])).toBeLessThan(1); // validation loss after one epoch, from 2.3
      expect(parseFloat(cells[3])).toBeGreaterThan(75); // accuracy, %
    }
    const svg = readFileSync(join(dir, 'compare-mnist.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    expect(svg).toMatch(/epoch 0: 2\.\d{3} for every optimizer/);
  });

  it('mnist --model cnn: the LeNet, above the mlp after one epoch', async () => {
    const { code, out } = await descent('compare', 'mnist', '--model', 'cnn', '--epochs', '1', '--optimizers', 'adam', '--out', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/^MNIST, CNN \(LeNet, 9,098 parameters\)/m);
    const adam = rows(out).get('adam')!;
    expect(Number(adam[2])).toBeLessThan(0.3); // the mlp: ~0.48 after one epoch at this lr
    expect(parseFloat(adam[3])).toBeGreaterThan(90);
  });

  const bad: [string[], RegExp][] = [
    [['compare', 'mnist', '--model', 'rnn'], /^descent: option '--model <name>' argument 'rnn' is invalid/],
    [['compare', 'functions', '--function', 'banana'], /^descent: option '--function <name>' argument 'banana' is invalid/],
    [['compare', 'functions', '--steps', '0'], /^descent: option '--steps <n>' argument '0' is invalid/],
    [['compare', 'functions', '--optimizers', 'sgd,newton'], /^descent: .*unknown optimizer 'newton'/],
    [['compare', 'functions', '--tol', 'abc'], /^descent: option '--tol <number>' argument 'abc' is invalid/],
    [['compare', 'functions', '--lr', 'adam=-1'], /^descent: option '--lr <lrs>' argument 'adam=-1' is invalid/],
    [['compare', 'functions', '--bogus'], /^descent: unknown option '--bogus'/],
    [['compare', 'mnist', '--epochs', 'two'], /^descent: option '--epochs <n>' argument 'two' is invalid/],
    [['compare', 'mnist', '--batch-size', '0'], /^descent: option '--batch-size <n>' argument '0' is invalid/],
    [['compare', 'sideways'], /^descent: unknown comparison 'sideways'/],
  ];
  for (const [args, message] of bad) {
    it(`fails with one line and exit code 2: descent ${args.join(' ')}`, async () => {
      const { code, out, err } = await descent(...args);
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(out).toBe('');
    });
  }
});

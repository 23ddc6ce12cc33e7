// `descent compare`: the course's optimizer comparisons. (a) `compare functions`: every optimizer
// from the same start on 2-D test functions, driven through the library's own optimizers (a
// 2-element Parameter whose grad is set from the analytic gradient, then optimizer.step()), with a
// table and an SVG of the trajectories over the function's contours. (b) `compare mnist`: the same
// optimizers training the course's MNIST network from the same initial weights, with a table and
// the validation curves in one SVG (compare-mnist.ts).
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { init } from '../backend/init.js';
import { UsageError } from './errors.js';
import {
  OPTIMIZER_NAMES, COLOURS, DEFAULT_STEPS, trajectory, type Trajectory, COURSE_OPTIMIZERS, FUNCTIONS, FUNCTION_NAMES,
  LEARNING_RATES, distanceToMinimum, functionByName, type TestFunction,
} from '../catalog/index.js';
import { renderSvg } from './render.js';
import { contours, simplify } from './contours.js';
import { CONFIG, SCHEMA, fmt, label, lrFor, table } from './compare-common.js';
import { prepareOut, writeOutput } from './out-files.js';
import { compareMnist } from './compare-mnist.js';
import { positive, positiveInt, seed } from './train-flags.js';

// ---------------------------------------------------------------------------------------------
// Flags

/** `--optimizers sgd,adam`: known names, each once, in the order given. */
function optimizerList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError('--optimizers takes optimizer names separated by commas.');
  for (const name of names) {
    if (!OPTIMIZER_NAMES.includes(name)) throw new InvalidArgumentError(`unknown optimizer '${name}'; choose from ${OPTIMIZER_NAMES.join(', ')}.`);
  }
  return [...new Set(names)];
}

/** `--lr 0.01` (every optimizer) or `--lr adam=0.1,sgd=0.001` (those named; the rest keep the table's). */
function lrOverrides(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new InvalidArgumentError("--lr takes a number or name=number pairs, e.g. 'adam=0.1,sgd=0.001'.");
  for (const part of parts) {
    const [name, value] = part.includes('=') ? part.split('=', 2).map((s) => s.trim().toLowerCase()) : ['*', part];
    const lr = Number(value);
    if (value === '' || !Number.isFinite(lr) || lr <= 0) throw new InvalidArgumentError(`--lr must be positive numbers, got '${part}'.`);
    if (name !== '*' && !OPTIMIZER_NAMES.includes(name)) throw new InvalidArgumentError(`unknown optimizer '${name}' in --lr; choose from ${OPTIMIZER_NAMES.join(', ')}.`);
    out[name] = lr;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// (a) 2-D functions

/** The first index at which the loss is ≤ tol, or null. */
function stepsTo(losses: readonly number[], tol: number): number | null {
  const k = losses.findIndex((l) => l <= tol);
  return k < 0 ? null : k;
}

function fmtPoint([x, y]: readonly [number, number]): string {
  return `(${fmt(x)}, ${fmt(y)})`;
}



export interface FunctionsOptions {
  function: string;
  steps?: number;
  optimizers: string[];
  tol: number;
  lr?: Record<string, number>;
  out: string;
}

export interface FunctionResult {
  fn: TestFunction;
  steps: number;
  runs: Trajectory[];
  table: string;
  file: string;
}

export async function compareFunctions(options: FunctionsOptions): Promise<FunctionResult[]> {
  const fns = options.function === 'all' ? FUNCTIONS : [functionByName(options.function)];
  if (fns.some((f) => f === undefined)) throw new UsageError(`unknown function '${options.function}'; choose from ${[...FUNCTION_NAMES, 'all'].join(', ')}`);
  await init();
  await prepareOut(options.out);
  const results: FunctionResult[] = [];
  for (const fn of fns as TestFunction[]) {
    const steps = options.steps ?? DEFAULT_STEPS[fn.name];
    const runs = options.optimizers.map((name) => trajectory(fn, name, lrFor(name, LEARNING_RATES[fn.name], options.lr), steps));
    const head = ['optimizer', 'lr', 'final f − f*', 'distance to min', `steps to ${fmt(options.tol)}`];
    if (fn.escape) head.push(fn.escape.column);
    const rows = runs.map((r) => {
      const last = r.losses.length - 1;
      const row = [
        r.optimizer, fmt(r.lr),
        r.divergedAt !== null ? `diverged (step ${r.divergedAt})` : fmt(r.losses[last]),
        r.divergedAt !== null ? '—' : fmt(distanceToMinimum(fn, r.xs[last], r.ys[last])),
        String(stepsTo(r.losses, options.tol) ?? '—'),
      ];
      if (fn.escape) row.push(String(stepsTo(r.losses, fn.escape.below - fn.fMin) ?? '—'));
      return row;
    });
    const minima = fn.minima.map(fmtPoint).join(' and ');
    const text =
      `${fn.title}: ${fn.formula}\n` +
      `${steps} steps from ${fmtPoint(fn.start)}; minimum ${minima}, f* = ${fmt(fn.fMin)}\n` +
      table(head, rows);
    const file = join(options.out, `compare-${fn.name}.svg`);
    await writeOutput(file, await functionSvg(fn, runs, steps, options.tol));
    process.stdout.write(`${text}\nwrote ${file}\n\n`);
    results.push({ fn, steps, runs, table: text, file });
  }
  return results;
}

// --- the chart --------------------------------------------------------------------------------

/** The loss chart's floor: f − f* below it (float32 positions reach 10⁻¹⁴ and 0) is drawn at it. */
const LOSS_FLOOR = 1e-12;
const STAR = 'M0,-1L0.225,-0.31L0.951,-0.309L0.363,0.118L0.588,0.809L0,0.382L-0.588,0.809L-0.363,0.118L-0.951,-0.309L-0.225,-0.31Z';

/** The trajectories over the contours, and f − f* against step on a log scale, side by side. */
export async function functionSvg(fn: TestFunction, runs: readonly Trajectory[], steps: number, tol: number): Promise<string> {
  const [x0, x1] = fn.window.x, [y0, y1] = fn.window.y;
  const scale = Math.min(430 / (x1 - x0), 360 / (y1 - y0)); // pixels per unit, the same on both axes
  const width = Math.round((x1 - x0) * scale), height = Math.round((y1 - y0) * scale);
  const toPx = (x: number, y: number): [number, number] => [(x - x0) * scale, (y1 - y) * scale];
  const { rings, low, high } = contours(fn, toPx);
  const ringValues = rings.flatMap((ring, r) =>
    ring.points.map(([x, y], i) => ({ ring: `r${String(r).padStart(5, '0')}`, i, x, y, level: ring.level })));
  const labels = runs.map(label);
  const colour = {
    field: 'label', type: 'nominal', title: null,
    scale: { domain: labels, range: runs.map((r) => COLOURS[r.optimizer] ?? '#000') },
    legend: { orient: 'right', title: `${steps} steps` },
  };
  const paths = runs.flatMap((r) => {
    const points = r.xs.map((x, k) => ({ k, x, y: r.ys[k] }));
    return simplify(points, (p) => toPx(p.x, p.y), 0.25).map((p) => ({ label: label(r), step: p.k, x: p.x, y: p.y }));
  });
  const ends = runs.map((r) => ({ label: label(r), x: r.xs[r.xs.length - 1], y: r.ys[r.ys.length - 1] }));
  const xEnc = { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [x0, x1], nice: false, zero: false } };
  const yEnc = { field: 'y', type: 'quantitative', title: 'y', scale: { domain: [y0, y1], nice: false, zero: false } };
  const map = {
    width, height,
    layer: [
      {
        data: { values: ringValues },
        mark: { type: 'line', filled: true, stroke: '#ffffff', strokeWidth: 0.5, clip: true, aria: false },
        encoding: {
          x: xEnc, y: yEnc, detail: { field: 'ring' }, order: { field: 'i' },
          fill: { field: 'level', type: 'quantitative', scale: { domain: [low, high], range: ['#ffffff', '#8c8c8c'] }, legend: null },
        },
      },
      {
        data: { values: paths },
        mark: { type: 'line', strokeWidth: 1.8, clip: true, aria: false },
        encoding: { x: xEnc, y: yEnc, color: colour, order: { field: 'step' } },
      },
      {
        data: { values: ends },
        mark: { type: 'point', filled: true, size: 45, opacity: 1, clip: true, stroke: '#fff', strokeWidth: 0.8, aria: false },
        encoding: { x: xEnc, y: yEnc, color: colour },
      },
      {
        data: { values: [{ x: fn.start[0], y: fn.start[1], text: 'start' }] },
        layer: [
          { mark: { type: 'point', shape: 'circle', filled: true, size: 90, color: '#000', stroke: '#fff', strokeWidth: 1.5, opacity: 1, aria: false } },
          { mark: { type: 'text', text: 'start', dx: 8, dy: -9, align: 'left', fontSize: 12, fontWeight: 'bold', color: '#000', aria: false } },
        ],
        encoding: { x: xEnc, y: yEnc },
      },
      ...(fn.saddles ? [{
        data: { values: fn.saddles.map(([x, y]) => ({ x, y })) },
        layer: [
          { mark: { type: 'point', shape: 'diamond', filled: true, size: 110, color: '#fff', stroke: '#000', strokeWidth: 1.2, opacity: 1, aria: false } },
          { mark: { type: 'text', text: 'saddle', dy: 16, fontSize: 12, fontWeight: 'bold', color: '#000', aria: false } },
        ],
        encoding: { x: xEnc, y: yEnc },
      }] : []),
      {
        data: { values: fn.minima.map(([x, y]) => ({ x, y })) },
        mark: { type: 'point', shape: STAR, filled: true, size: 220, color: '#ffd700', stroke: '#000', strokeWidth: 1, opacity: 1, aria: false },
        encoding: { x: xEnc, y: yEnc },
      },
    ],
  };
  const lossValues = runs.flatMap((r) => {
    const yMax = Math.log10(Math.max(...r.losses, LOSS_FLOOR * 10));
    const h = height / Math.max(1, yMax - Math.log10(LOSS_FLOOR));
    const points = r.losses.map((l, k) => ({ k, l: Math.max(l, LOSS_FLOOR) }));
    return simplify(points, (p) => [(p.k / steps) * 360, -Math.log10(p.l) * h], 0.25).map((p) => ({ label: label(r), step: p.k, loss: p.l }));
  });
  const top = Math.max(...runs.flatMap((r) => r.losses.filter(Number.isFinite)), 1);
  const loss = {
    width: 360, height,
    layer: [
      {
        data: { values: lossValues },
        mark: { type: 'line', strokeWidth: 1.6, clip: true, aria: false },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step', scale: { domain: [0, steps], nice: false } },
          y: {
            field: 'loss', type: 'quantitative', title: `f − f*  (log scale, floored at ${fmt(LOSS_FLOOR)})`,
            scale: { type: 'log', domain: [LOSS_FLOOR, 10 ** Math.ceil(Math.log10(top))], nice: false },
            axis: { format: '.0e', tickCount: 8 },
          },
          color: colour,
        },
      },
      {
        data: { values: [{ tol }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [5, 4], color: '#555', aria: false } },
          { mark: { type: 'text', text: `tol ${fmt(tol)}`, align: 'right', dy: -6, x: 356, fontSize: 11, color: '#333', aria: false } },
        ],
        encoding: { y: { field: 'tol', type: 'quantitative' } },
      },
    ],
  };
  return renderSvg({
    $schema: SCHEMA,
    config: CONFIG,
    title: {
      text: fn.title,
      subtitle: `${fn.formula}   ·   from ${fmtPoint(fn.start)}, ${steps} steps   ·   shading: log₁₀(f − f*), darker is higher`,
    },
    hconcat: [map, loss],
    spacing: 40,
    resolve: { scale: { color: 'shared' } },
  });
}

// ---------------------------------------------------------------------------------------------
// Files and the command line

interface FunctionsFlags { function: string; steps?: number; optimizers: string[]; tol: number; lr?: Record<string, number>; out: string }
interface MnistFlags { epochs: number; optimizers: string[]; batchSize: number; seed: number; lr?: Record<string, number>; out: string }

const OUT_DEFAULT = 'runs/compare';

/**
 * The output folder of a subcommand. `compare` has an --out of its own (for the bare command), and
 * commander gives it any --out on the line (the program's options are not positional), so
 * `compare functions --out DIR` may land there: take whichever was given.
 */
function outOf(command: Command, flags: { out: string }): string {
  if (command.getOptionValueSource('out') === 'cli') return flags.out;
  const parent = command.parent;
  if (parent?.getOptionValueSource('out') === 'cli') return parent.opts().out as string;
  return flags.out;
}

export function registerCompare(program: Command): void {
  const compare = program
    .command('compare')
    .description("the course's optimizer comparisons: trajectories on 2-D functions and MNIST training curves, as tables and SVGs")
    .option('--out <dir>', 'output folder', OUT_DEFAULT)
    .addHelpText('after', [
      '',
      'With no subcommand, runs `compare functions` and `compare mnist` with their defaults.',
      '',
      'Examples:',
      '  descent compare functions --function rosenbrock --optimizers sgd,momentum,adam',
      "  descent compare functions --function saddle --lr adam=0.01 --steps 300",
      '  descent compare mnist --epochs 10',
      '  descent compare --out docs',
    ].join('\n'))
    .argument('[comparison]', 'functions or mnist (both when omitted)')
    .action(async (comparison: string | undefined, flags: { out: string }) => {
      // Reached only when the word is not one of the subcommands.
      if (comparison !== undefined) throw new UsageError(`unknown comparison '${comparison}'; choose functions or mnist (or neither, for both)`);
      await compareFunctions({ function: 'all', optimizers: COURSE_OPTIMIZERS, tol: 1e-6, out: flags.out });
      await compareMnist({ epochs: 5, optimizers: COURSE_OPTIMIZERS, batchSize: 32, seed: 0, out: flags.out });
    });

  compare
    .command('functions')
    .description('every optimizer from the same start on 2-D test functions: a table and an SVG of the trajectories per function')
    .addOption(new Option('--function <name>', 'the test function').choices([...FUNCTION_NAMES, 'all']).default('all'))
    .option('--steps <n>', `optimizer steps per run (default: ${Object.entries(DEFAULT_STEPS).map(([k, v]) => `${k} ${v}`).join(', ')})`, positiveInt('--steps'))
    .option('--optimizers <list>', `optimizers, comma-separated, from ${OPTIMIZER_NAMES.join(', ')}`, optimizerList, COURSE_OPTIMIZERS)
    .option('--tol <number>', 'the tolerance of "steps to f − f* ≤ tol"', positive('--tol'), 1e-6)
    .option('--lr <lrs>', "override the lr table: one lr for all ('0.01') or per optimizer ('adam=0.1,sgd=0.001')", lrOverrides)
    .option('--out <dir>', 'output folder (writes compare-<function>.svg)', OUT_DEFAULT)
    .action(async (flags: FunctionsFlags, command: Command) => {
      flags.out = outOf(command, flags);
      if (flags.steps !== undefined && flags.steps > 100_000) throw new UsageError(`--steps must be at most 100000, got ${flags.steps}`);
      await compareFunctions(flags);
    });

  compare
    .command('mnist')
    .description("the optimizers training the course's MNIST network from the same initial weights: a table and compare-mnist.svg")
    .option('--epochs <n>', 'epochs per optimizer', positiveInt('--epochs'), 5)
    .addOption(new Option('--model <name>', 'mlp: 784-16-16-10 ReLU; cnn: the LeNet of descent train --model cnn').choices(['mlp', 'cnn']).default('mlp'))
    .option('--optimizers <list>', `optimizers, comma-separated, from ${OPTIMIZER_NAMES.join(', ')}`, optimizerList, COURSE_OPTIMIZERS)
    .option('--batch-size <n>', 'mini-batch size', positiveInt('--batch-size'), 32)
    .option('--seed <n>', 'seed of the initial weights and of the batch order', seed, 0)
    .option('--lr <lrs>', "override the lr table: one lr for all ('0.01') or per optimizer ('adam=0.01,sgd=0.05')", lrOverrides)
    .option('--out <dir>', 'output folder (writes compare-mnist.svg)', OUT_DEFAULT)
    .action(async (flags: MnistFlags, command: Command) => {
      flags.out = outOf(command, flags);
      if (flags.epochs > 1000) throw new UsageError(`--epochs must be at most 1000, got ${flags.epochs}`);
      await compareMnist(flags);
    });
}

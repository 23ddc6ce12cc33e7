// `descent schedule <name>`: prints a learning-rate schedule as a table and plots it to SVG,
// without training anything; `descent schedule --compare` plots the main schedules side by side.
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import {
  StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
  CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, LambdaLR, MultiplicativeLR, SequentialLR,
  type ChainableScheduler, type SchedulableOptimizer, type SchedulableParamGroup,
} from '../schedulers/index.js';
import { UsageError } from './errors.js';
import { lineChartSvg, type Series } from './plot.js';

/** The parsed flags (commander's camelCase of each --kebab-case flag). */
interface Flags {
  lr: number; steps: number; out?: string; compare?: boolean;
  stepSize?: number; gamma?: number; milestones?: number[]; factor?: number; totalIters?: number;
  startFactor?: number; endFactor?: number; power?: number; tMax?: number; etaMin?: number;
  t0?: number; tMult?: number; baseLr?: number; maxLr?: number; stepSizeUp?: number;
  stepSizeDown?: number; mode?: string; cycleMomentum: boolean; baseMomentum?: number;
  maxMomentum?: number; totalSteps?: number; epochs?: number; stepsPerEpoch?: number;
  pctStart?: number; annealStrategy?: string; divFactor?: number; finalDivFactor?: number;
  threePhase?: boolean; lambda?: string;
}
type OptionFlag = Exclude<keyof Flags, 'lr' | 'steps' | 'out' | 'compare'>;

/** A schedule the command knows: which flags it takes and how they become constructor options. */
interface ScheduleDef {
  className: string;
  /** The schedule sets the lr itself (from baseLr or maxLr): --lr does not matter. */
  ownsLr?: boolean;
  flags: OptionFlag[];
  required?: OptionFlag[];
  /** The constructor options from the flags. Default: the given `flags`, as they are. */
  options?(f: Flags): Record<string, unknown>;
  build(optimizer: SchedulableOptimizer, options: Record<string, unknown>): ChainableScheduler;
}

/** The options actually given (absent flags fall to the scheduler's own defaults). */
function pick(f: Flags, keys: OptionFlag[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => f[k] !== undefined).map((k) => [k, f[k]]));
}

/** `--lambda` is a JavaScript expression in `epoch`, e.g. `0.95 ** epoch`. */
function lambdaOf(source: string): (epoch: number) => number {
  let f: (epoch: number) => number;
  try {
    f = new Function('epoch', `return (${source});`) as (epoch: number) => number;
  } catch (error) {
    throw new UsageError(`--lambda ${JSON.stringify(source)} is not a JavaScript expression in epoch: ${(error as Error).message}`);
  }
  return (epoch) => {
    try {
      return f(epoch);
    } catch (error) {
      throw new UsageError(`--lambda ${JSON.stringify(source)} failed at epoch ${epoch}: ${(error as Error).message}`);
    }
  };
}

const momentumFlags: OptionFlag[] = ['cycleMomentum', 'baseMomentum', 'maxMomentum'];

const SCHEDULES: Record<string, ScheduleDef> = {
  step: {
    className: 'StepLR', flags: ['stepSize', 'gamma'], required: ['stepSize'],
    build: (o, x) => new StepLR(o, x as never),
  },
  multistep: {
    className: 'MultiStepLR', flags: ['milestones', 'gamma'], required: ['milestones'],
    build: (o, x) => new MultiStepLR(o, x as never),
  },
  constant: {
    className: 'ConstantLR', flags: ['factor', 'totalIters'],
    build: (o, x) => new ConstantLR(o, x),
  },
  linear: {
    className: 'LinearLR', flags: ['startFactor', 'endFactor', 'totalIters'],
    build: (o, x) => new LinearLR(o, x),
  },
  exponential: {
    className: 'ExponentialLR', flags: ['gamma'], required: ['gamma'],
    build: (o, x) => new ExponentialLR(o, x as never),
  },
  polynomial: {
    className: 'PolynomialLR', flags: ['totalIters', 'power'],
    build: (o, x) => new PolynomialLR(o, x),
  },
  cosine: {
    className: 'CosineAnnealingLR', flags: ['tMax', 'etaMin'],
    options: (f) => ({ tMax: f.tMax ?? f.steps, ...pick(f, ['etaMin']) }),
    build: (o, x) => new CosineAnnealingLR(o, x as never),
  },
  'cosine-restarts': {
    className: 'CosineAnnealingWarmRestarts', flags: ['t0', 'tMult', 'etaMin'], required: ['t0'],
    build: (o, x) => new CosineAnnealingWarmRestarts(o, x as never),
  },
  cyclic: {
    className: 'CyclicLR', ownsLr: true,
    flags: ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', ...momentumFlags], required: ['maxLr'],
    options: (f) => ({
      baseLr: f.baseLr ?? f.lr, ...pick(f, ['maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma']),
      ...(f.cycleMomentum ? pick(f, ['baseMomentum', 'maxMomentum']) : { cycleMomentum: false }),
    }),
    build: (o, x) => new CyclicLR(o, x as never),
  },
  onecycle: {
    className: 'OneCycleLR', ownsLr: true,
    flags: ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'divFactor',
      'finalDivFactor', 'threePhase', ...momentumFlags],
    options: (f) => ({
      maxLr: f.maxLr ?? f.lr,
      ...(f.totalSteps === undefined && f.epochs !== undefined && f.stepsPerEpoch !== undefined
        ? pick(f, ['epochs', 'stepsPerEpoch'])
        : { totalSteps: f.totalSteps ?? f.steps }),
      ...pick(f, ['pctStart', 'annealStrategy', 'divFactor', 'finalDivFactor', 'threePhase']),
      ...(f.cycleMomentum ? pick(f, ['baseMomentum', 'maxMomentum']) : { cycleMomentum: false }),
    }),
    build: (o, x) => new OneCycleLR(o, x as never),
  },
  lambda: {
    className: 'LambdaLR', flags: ['lambda'], required: ['lambda'],
    options: (f) => ({ lrLambda: f.lambda }),
    build: (o, x) => new LambdaLR(o, { lrLambda: lambdaOf(x.lrLambda as string) }),
  },
  multiplicative: {
    className: 'MultiplicativeLR', flags: ['lambda'], required: ['lambda'],
    options: (f) => ({ lrLambda: f.lambda }),
    build: (o, x) => new MultiplicativeLR(o, { lrLambda: lambdaOf(x.lrLambda as string) }),
  },
};

/** The optimizer the schedule drives: one param group with momentum, for the cycling schedules. */
function fakeOptimizer(lr: number): SchedulableOptimizer & { paramGroups: SchedulableParamGroup[] } {
  return { paramGroups: [{ lr, momentum: 0.9 }] };
}

interface Run { lrs: number[]; momentums: number[] }

/** The lr (and momentum) used by each of `steps` optimizer steps: after construction, then after each step(). */
function run(scheduler: ChainableScheduler, optimizer: { paramGroups: SchedulableParamGroup[] }, steps: number): Run {
  const out: Run = { lrs: [], momentums: [] };
  for (let i = 0; i < steps; i++) {
    if (i > 0) scheduler.step();
    out.lrs.push(optimizer.paramGroups[0].lr);
    out.momentums.push(optimizer.paramGroups[0].momentum as number);
  }
  return out;
}

/** `{ tMax: 50, etaMin: 0.001 }`, as the options would be written in code. */
function literal(options: Record<string, unknown>): string {
  const show = (k: string, v: unknown): string => {
    if (k === 'lrLambda') return `(epoch) => ${String(v)}`;
    if (typeof v === 'string') return `'${v}'`;
    return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
  };
  const entries = Object.entries(options).map(([k, v]) => `${k}: ${show(k, v)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** Every row up to 30 steps; beyond, about 20 rows at a round stride (1, 2, 5, 10, 20, …), and the last. */
function sampleRows(steps: number): number[] {
  if (steps <= 30) return Array.from({ length: steps }, (_, i) => i);
  const rough = (steps - 1) / 20;
  const decade = 10 ** Math.floor(Math.log10(rough));
  const stride = [1, 2, 5, 10].map((m) => m * decade).find((s) => s >= rough) as number;
  const rows = Array.from({ length: Math.floor((steps - 1) / stride) + 1 }, (_, i) => i * stride);
  if (rows[rows.length - 1] !== steps - 1) rows.push(steps - 1);
  return rows;
}

function table(run: Run, withMomentum: boolean): string {
  const head = ['step', 'lr', ...(withMomentum ? ['momentum'] : [])];
  const rows = sampleRows(run.lrs.length).map((i) => [String(i), fmt(run.lrs[i]), ...(withMomentum ? [fmt(run.momentums[i])] : [])]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** At most ~2000 points per line: an SVG path of every step of a long run is needlessly large. */
function points(lrs: readonly number[]): [number, number][] {
  const stride = Math.max(1, Math.ceil(lrs.length / 2000));
  const pts: [number, number][] = [];
  for (let i = 0; i < lrs.length; i += stride) pts.push([i, lrs[i]]);
  if ((lrs.length - 1) % stride !== 0) pts.push([lrs.length - 1, lrs[lrs.length - 1]]);
  return pts;
}

async function writeSvg(file: string, svg: string): Promise<void> {
  try {
    await writeFile(file, svg);
  } catch (error) {
    throw new UsageError(`cannot write the plot: ${(error as Error).message}`);
  }
}

function checkFlags(cmd: Command, name: string, def: ScheduleDef, f: Flags): void {
  const given = (Object.keys(f) as (keyof Flags)[]).filter((k) => cmd.getOptionValueSource(k) === 'cli');
  const kebab = (k: string): string => `--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;
  const accepted = def.flags.map(kebab).join(', ') || 'no options';
  for (const k of given) {
    if (['lr', 'steps', 'out', 'compare'].includes(k) || def.flags.includes(k as OptionFlag)) continue;
    throw new UsageError(`${kebab(k)} does not apply to the ${name} schedule (it takes ${accepted})`);
  }
  for (const k of def.required ?? []) {
    if (f[k] === undefined) throw new UsageError(`the ${name} schedule needs ${kebab(k)} (it takes ${accepted})`);
  }
}

async function showOne(cmd: Command, name: string, f: Flags): Promise<void> {
  const def = SCHEDULES[name];
  if (!def) throw new UsageError(`unknown schedule '${name}'; one of ${Object.keys(SCHEDULES).join(', ')}`);
  checkFlags(cmd, name, def, f);
  const options = def.options?.(f) ?? pick(f, def.flags);
  const optimizer = fakeOptimizer(f.lr);
  const scheduler = def.build(optimizer, options);
  const result = run(scheduler, optimizer, f.steps);
  const withMomentum = (scheduler as { cycleMomentum?: boolean }).cycleMomentum === true;
  const call = `new ${def.className}(optimizer, ${literal(options)})`;
  const withLr = def.ownsLr ? '' : `, lr ${f.lr}`;
  const out = f.out ?? `schedule-${name}.svg`;
  // The last lr holds until the end of its step.
  const held: [number, number] = [f.steps, result.lrs[f.steps - 1]];
  const svg = await lineChartSvg({
    title: `${def.className} ${literal(options)}${withLr}`, xLabel: 'step', yLabel: 'lr',
    series: [{ name: def.className, points: [...points(result.lrs), held] }], interpolate: 'step-after',
  });
  await writeSvg(out, svg);
  process.stdout.write(`${call}${withLr}, ${f.steps} steps\n${table(result, withMomentum)}\nwrote ${out}\n`);
}

/** The main schedules over the same steps and lr, for the README. */
function comparison(lr: number, steps: number): { label: string; lrs: number[] }[] {
  const q = (fraction: number): number => Math.max(1, Math.round(steps * fraction));
  const gamma = Number((0.05 ** (1 / steps)).toFixed(4));
  const entries: [string, (o: SchedulableOptimizer) => ChainableScheduler][] = [
    [`StepLR stepSize ${q(0.25)}, gamma 0.5`, (o) => new StepLR(o, { stepSize: q(0.25), gamma: 0.5 })],
    [`MultiStepLR milestones [${q(0.5)}, ${q(0.75)}]`, (o) => new MultiStepLR(o, { milestones: [q(0.5), q(0.75)] })],
    [`ExponentialLR gamma ${gamma}`, (o) => new ExponentialLR(o, { gamma })],
    [`PolynomialLR totalIters ${steps}, power 2`, (o) => new PolynomialLR(o, { totalIters: steps, power: 2 })],
    [`CosineAnnealingLR tMax ${steps}`, (o) => new CosineAnnealingLR(o, { tMax: steps })],
    [`CosineAnnealingWarmRestarts t0 ${q(0.1)}, tMult 2`, (o) => new CosineAnnealingWarmRestarts(o, { t0: q(0.1), tMult: 2 })],
    [`LinearLR warm-up ${q(0.1)} → cosine`, (o) => new SequentialLR(o, {
      schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: q(0.1) }), new CosineAnnealingLR(o, { tMax: steps - q(0.1) })],
      milestones: [q(0.1)],
    })],
    [`OneCycleLR totalSteps ${steps}`, (o) => new OneCycleLR(o, { maxLr: lr, totalSteps: steps })],
    [`CyclicLR stepSizeUp ${q(0.125)}, triangular2`, (o) => new CyclicLR(o, { baseLr: lr / 10, maxLr: lr, stepSizeUp: q(0.125), mode: 'triangular2' })],
  ];
  return entries.map(([label, make]) => {
    const optimizer = fakeOptimizer(lr);
    return { label, lrs: run(make(optimizer), optimizer, steps).lrs };
  });
}

async function showComparison(cmd: Command, f: Flags): Promise<void> {
  const scheduleFlag = (Object.keys(f) as (keyof Flags)[]).find((k) => !['lr', 'steps', 'out', 'compare'].includes(k) && cmd.getOptionValueSource(k) === 'cli');
  if (scheduleFlag) throw new UsageError('--compare takes only --lr, --steps and --out');
  const schedules = comparison(f.lr, f.steps);
  const series: Series[] = schedules.map((s) => ({ name: s.label, points: points(s.lrs) }));
  const out = f.out ?? 'schedules.svg';
  const svg = await lineChartSvg({
    title: `Learning-rate schedules, lr ${f.lr}, ${f.steps} steps`, xLabel: 'step', yLabel: 'lr', series,
    layout: 'facet', columns: 3, sharedY: true,
  });
  await writeSvg(out, svg);
  const width = Math.max(...schedules.map((s) => s.label.length));
  const lines = schedules.map((s) => `${s.label.padEnd(width)}  ${fmt(s.lrs[0])} → ${fmt(s.lrs[s.lrs.length - 1])}`);
  process.stdout.write(`${lines.join('\n')}\nwrote ${out}\n`);
}

function number(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError('expected a number.');
  return x;
}

function integer(value: string): number {
  const x = number(value);
  if (!Number.isInteger(x)) throw new InvalidArgumentError('expected an integer.');
  return x;
}

function positiveNumber(value: string): number {
  const x = number(value);
  if (!(x > 0)) throw new InvalidArgumentError('expected a number > 0.');
  return x;
}

/** `--milestones 30,80`: epochs in increasing order, as MultiStepLR steps through them. */
function increasingList(value: string): number[] {
  const list = value.split(',').map((part) => integer(part));
  if (list.some((m, i) => m < 1 || (i > 0 && m <= list[i - 1]))) throw new InvalidArgumentError('expected positive integers in increasing order, e.g. 30,80.');
  return list;
}

export function registerScheduleCommand(program: Command): void {
  const cmd = program
    .command('schedule')
    .description('print a learning-rate schedule as a table and plot it to SVG, without training')
    .argument('[name]', `one of ${Object.keys(SCHEDULES).join(', ')}`)
    .option('--lr <lr>', "the optimizer's lr (the schedule's base lr), > 0", positiveNumber, 0.1)
    .option('--steps <n>', 'how many optimizer steps (epochs, for the per-epoch schedules) to show', integer, 100)
    .option('--out <file>', 'the SVG file (default schedule-<name>.svg, or schedules.svg with --compare)')
    .option('--compare', 'plot the main schedules side by side in one SVG')
    .option('--step-size <n>', 'step: epochs between decays', integer)
    .option('--gamma <g>', 'step, multistep, exponential: decay factor; cyclic: exp_range factor', number)
    .option('--milestones <list>', 'multistep: epochs of decay in increasing order, e.g. 30,80', increasingList)
    .option('--factor <f>', 'constant: the factor for the first total-iters epochs', number)
    .option('--total-iters <n>', 'constant, linear, polynomial: length of the change', integer)
    .option('--start-factor <f>', 'linear: the first factor', number)
    .option('--end-factor <f>', 'linear: the last factor', number)
    .option('--power <p>', 'polynomial: the power', number)
    .option('--t-max <n>', 'cosine: half period (default --steps)', integer)
    .option('--eta-min <lr>', 'cosine, cosine-restarts: the lowest lr', number)
    .option('--t0 <n>', 'cosine-restarts: the first period', integer)
    .option('--t-mult <n>', 'cosine-restarts: growth of each period', integer)
    .option('--base-lr <lr>', 'cyclic: the lower bound (default --lr)', number)
    .option('--max-lr <lr>', 'cyclic: the upper bound; onecycle: the peak (default --lr)', number)
    .option('--step-size-up <n>', 'cyclic: steps up', integer)
    .option('--step-size-down <n>', 'cyclic: steps down (default --step-size-up)', integer)
    .option('--mode <mode>', 'cyclic: triangular, triangular2 or exp_range')
    .option('--no-cycle-momentum', 'cyclic, onecycle: leave momentum alone')
    .option('--base-momentum <m>', 'cyclic, onecycle: momentum at the lr peak', number)
    .option('--max-momentum <m>', 'cyclic, onecycle: momentum at the lr trough', number)
    .option('--total-steps <n>', 'onecycle: steps in the cycle (default --steps)', integer)
    .option('--epochs <n>', 'onecycle: epochs, with --steps-per-epoch instead of --total-steps', integer)
    .option('--steps-per-epoch <n>', 'onecycle: batches per epoch', integer)
    .option('--pct-start <p>', 'onecycle: fraction of the cycle spent rising', number)
    .option('--anneal-strategy <s>', 'onecycle: cos or linear')
    .option('--div-factor <d>', 'onecycle: start lr = max-lr / div-factor', number)
    .option('--final-div-factor <d>', 'onecycle: final lr = start lr / final-div-factor', number)
    .option('--three-phase', "onecycle: the paper's three phases")
    .option('--lambda <expr>', "lambda, multiplicative: the factor as a JavaScript expression in epoch, e.g. '0.95 ** epoch'")
    .addHelpText('after', [
      '',
      'Examples:',
      '  descent schedule cosine --lr 0.1 --t-max 50 --steps 100',
      '  descent schedule onecycle --max-lr 0.5 --steps 200 --out onecycle.svg',
      '  descent schedule --compare --out docs/schedules.svg',
      '',
      'ReduceLROnPlateau needs the metrics of a training run, and SequentialLR / ChainedScheduler',
      'combine schedulers in code: they are not offered here.',
    ].join('\n'))
    .action(async (name: string | undefined, flags: Flags) => {
      if (!(flags.steps >= 1)) throw new UsageError(`--steps must be at least 1, got ${flags.steps}`);
      if (flags.steps > 1_000_000) throw new UsageError(`--steps must be at most 1000000, got ${flags.steps}`);
      if (flags.compare) {
        if (name !== undefined) throw new UsageError('give a schedule name or --compare, not both');
        await showComparison(cmd, flags);
      } else if (name === undefined) {
        throw new UsageError(`schedule needs a name (${Object.keys(SCHEDULES).join(', ')}) or --compare`);
      } else {
        await showOne(cmd, name, flags);
      }
    });
}

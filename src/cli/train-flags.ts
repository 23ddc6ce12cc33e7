// The flags of `descent train`: their parsers (each value checked where it is read, so an error
// names the flag), which optimizer or scheduler reads each of them and the default it then takes
// (the help shows every default), and the checks across flags: a flag the chosen optimizer or
// scheduler does not read, a flag that contradicts the run being resumed. A library error that
// escapes is rephrased in flag terms (`--epochs`, not `fit: initialEpoch`).
import { InvalidArgumentError } from 'commander';
import { DescentError } from '../core/errors.js';
import { UsageError } from './errors.js';
import {
  DEFAULT_LR, DEFAULT_MOMENTUM, DEFAULT_WEIGHT_DECAY, OPTIMIZER_NAMES, SCHEDULER_DEFAULTS, unflaggedOptions,
} from '../catalog/index.js';

/** `--kebab-case` of a camelCase key. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

const parse = (flag: string, expected: string, ok: (n: number) => boolean) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !ok(n)) throw new InvalidArgumentError(`${flag} must be ${expected}, got '${v}'`);
  return n;
};
export const positiveInt = (flag: string) => parse(flag, 'a positive integer', (n) => Number.isSafeInteger(n) && n >= 1);
export const positive = (flag: string) => parse(flag, 'a number > 0', (n) => Number.isFinite(n) && n > 0);
export const nonNegative = (flag: string) => parse(flag, 'a number ≥ 0', (n) => Number.isFinite(n) && n >= 0);
/** In [0, 1): dropout, momentum, a validation fraction. */
export const fraction = (flag: string) => parse(flag, 'a number in [0, 1)', (n) => n >= 0 && n < 1);
export const seed = parse('--seed', 'an integer from 0 to 2^32 − 1', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32);

export const threadCount = (v: string): number | 'auto' => {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError(`--threads must be 'auto' or an integer from 1 to 64, got '${v}'`);
  return n;
};

export const sizes = (v: string): number[] => {
  const list = v.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (!list.every((n) => Number.isSafeInteger(n) && n > 0)) throw new InvalidArgumentError(`--hidden takes positive integers separated by commas, got '${v}'`);
  return list;
};

/** `sgd 0.1, adam 0.001, …` for the help. */
const byName = (table: Record<string, number | string>): string => Object.entries(table).map(([k, v]) => `${k} ${v}`).join(', ');

/**
 * The flags that belong to some optimizers or schedulers: who reads each, and the value each of
 * them takes without it. A flag given for a choice that does not read it is an error.
 */
export const SPECIFIC_FLAGS: Record<string, { of: 'optimizer' | 'scheduler'; defaults: Record<string, number | string> }> = {
  momentum: { of: 'optimizer', defaults: DEFAULT_MOMENTUM },
  weightDecay: { of: 'optimizer', defaults: DEFAULT_WEIGHT_DECAY },
  stepSize: { of: 'scheduler', defaults: { step: SCHEDULER_DEFAULTS.step.stepSize } },
  gamma: { of: 'scheduler', defaults: { step: SCHEDULER_DEFAULTS.step.gamma, exponential: SCHEDULER_DEFAULTS.exponential.gamma } },
  tMax: { of: 'scheduler', defaults: { cosine: 'the run\'s --epochs' } },
};

/** The help line of each specific flag and of --lr: what it is and every default. */
export const HELP = {
  lr: `learning rate, > 0 (default: the optimizer's own — ${byName(DEFAULT_LR)})`,
  momentum: `momentum in [0, 1) (ema: its β) (default: ${byName(SPECIFIC_FLAGS.momentum.defaults)}; others take none)`,
  weightDecay: `L2 weight decay, ≥ 0 (decoupled for adamw, lion) (default: ${byName(SPECIFIC_FLAGS.weightDecay.defaults)}; others take none)`,
  stepSize: `StepLR period in epochs (default: ${SPECIFIC_FLAGS.stepSize.defaults.step})`,
  gamma: `decay factor, > 0 (default: ${byName(SPECIFIC_FLAGS.gamma.defaults)})`,
  tMax: `CosineAnnealingLR half period in epochs (default: ${SPECIFIC_FLAGS.tMax.defaults.cosine})`,
};

/**
 * The options of each optimizer that no flag sets, at the values the optimizer takes without them
 * (torch.optim's), from the optimizers' own defaults (src/catalog/optimizers.ts);
 * test/cli-version.node.test.ts checks them against the optimizers built.
 */
export const OTHER_OPTIMIZER_DEFAULTS: Record<string, Record<string, unknown>> = Object.fromEntries(
  OPTIMIZER_NAMES.map((name) => [name, unflaggedOptions(name)]),
);

/** The options of OneCycleLR and ReduceLROnPlateau that no flag sets, at their defaults (torch's). */
export const OTHER_SCHEDULER_DEFAULTS = {
  onecycle: { pctStart: 0.3, annealStrategy: 'cos', divFactor: 25, finalDivFactor: 1e4, baseMomentum: 0.85, maxMomentum: 0.95 },
  plateau: { mode: 'min', threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8 },
};

/** `key: value, …` of an options record, as the help shows it. */
export const optionList = (options: Record<string, unknown>, separator = ': '): string =>
  Object.entries(options).map(([k, v]) => `${k}${separator}${typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : v}`).join(', ');

/** `text` after `head`, wrapped at 100 columns under its first column. */
function wrap(head: string, text: string): string[] {
  const lines = [head];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (lines[last].length + word.length + 1 > 100 && lines[last].trim() !== head.trim()) lines.push(' '.repeat(head.length) + word);
    else lines[last] += (lines[last] === head ? '' : ' ') + word;
  }
  return lines;
}

/** After the options: what the schedulers and the rest of the run use without a flag. */
export const HELP_AFTER = [
  '',
  'Defaults without a flag:',
  `  --scheduler step         StepLR { stepSize: ${SCHEDULER_DEFAULTS.step.stepSize}, gamma: ${SCHEDULER_DEFAULTS.step.gamma} }, stepped each epoch`,
  `  --scheduler exponential  ExponentialLR { gamma: ${SCHEDULER_DEFAULTS.exponential.gamma} }, stepped each epoch`,
  '  --scheduler cosine       CosineAnnealingLR { tMax: --epochs, etaMin: 0 }, stepped each epoch',
  ...wrap('  --scheduler onecycle     ', `OneCycleLR { maxLr: the lr, totalSteps: epochs × batches per epoch }, stepped each batch; the rest torch's: { ${optionList(OTHER_SCHEDULER_DEFAULTS.onecycle)} }, momentum (or β1) cycled except for adagrad and adadelta, which have none`),
  ...wrap('  --scheduler plateau      ', `ReduceLROnPlateau { factor: ${SCHEDULER_DEFAULTS.plateau.factor}, patience: ${SCHEDULER_DEFAULTS.plateau.patience} } on the validation loss; the rest torch's: { ${optionList(OTHER_SCHEDULER_DEFAULTS.plateau)} }`),
  '  model                    784 → --hidden → 10, Linear layers initialised as torch; loss CrossEntropyLoss',
  '',
  'Optimizer options without a flag (torch.optim\'s defaults):',
  ...Object.entries(OTHER_OPTIMIZER_DEFAULTS).map(([name, options]) =>
    `  --optimizer ${name.padEnd(9)} ${Object.keys(options).length === 0 ? 'none' : optionList(options, ' ')}`),
  '',
  'Examples:',
  '  descent train --optimizer sgd --lr 0.1 --momentum 0.9 --scheduler step --step-size 5 --epochs 20',
  '  descent train --hidden 1300,1300 --epochs 1 --out runs/big',
  '  descent train --resume runs/big/checkpoint.safetensors --epochs 3',
].join('\n');

/** Throws if a flag given on the command line is not read by the chosen optimizer or scheduler. */
export function checkApplicable(given: readonly string[], choice: { optimizer: string; scheduler: string }): void {
  for (const key of given) {
    const spec = SPECIFIC_FLAGS[key];
    if (spec === undefined || choice[spec.of] in spec.defaults) continue;
    const users = Object.keys(spec.defaults).join(', ');
    throw new UsageError(`${flagOf(key)} is not read by --${spec.of} ${choice[spec.of]}, only by --${spec.of} ${users}`);
  }
}

/** The flags a resumed run may change; every other one must agree with the saved run. */
const RESUMABLE = ['epochs', 'out', 'threads', 'resume'];

/** Throws if a flag given with --resume contradicts the configuration saved in the checkpoint. */
export function checkResumeAgrees(given: readonly string[], flags: Record<string, unknown>, saved: Record<string, unknown>): void {
  for (const key of given) {
    if (RESUMABLE.includes(key) || JSON.stringify(flags[key]) === JSON.stringify(saved[key])) continue;
    const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : v === undefined ? 'not set' : String(v));
    throw new UsageError(
      `${flagOf(key)} ${show(flags[key])} differs from the resumed run's ${show(saved[key])}; a resumed run keeps its settings (only --epochs, --out and --threads may change)`,
    );
  }
}

/** Library option names as `descent train` spells them. */
const FLAG_OF_OPTION: Record<string, string> = {
  lr: '--lr', momentum: '--momentum', beta: '--momentum', weightDecay: '--weight-decay', stepSize: '--step-size',
  gamma: '--gamma', tMax: '--t-max', batchSize: '--batch-size', epochs: '--epochs', initialEpoch: '--epochs',
  validationSplit: '--validation-split', patience: '--early-stopping', p: '--dropout',
};

/** A library error about an option (`Adam: lr must be …`) as the flag that set it (`--lr must be …`). */
export function inFlagTerms(error: unknown): unknown {
  if (!(error instanceof DescentError)) return error;
  const m = /^[\w.]+: (\w+)\b(.*)$/s.exec(error.message);
  const flag = m ? FLAG_OF_OPTION[m[1]] : undefined;
  return flag === undefined ? error : new UsageError(`${flag}${m![2]}`);
}

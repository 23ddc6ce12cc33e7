import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descent, descentProcess } from './cli-helpers.js';
import { decodeSafetensors, load } from '../src/io/index.js';
import { init, Sequential, Linear } from '../src/index.js';
import { DEFAULT_LR, DEFAULT_MOMENTUM, OPTIMIZER_NAMES, SCHEDULER_DEFAULTS, makeModel, makeOptimizer, makeScheduler } from '../src/catalog/index.js';
import { SPECIFIC_FLAGS } from '../src/cli/train-flags.js';
import { normalizePixels } from '../src/cli/normalize-pixels.js';
import * as ort from 'onnxruntime-node';
import { tensor } from '../src/ops/creation.js';
import { noGrad } from '../src/autograd/grad-mode.js';

/** A failure a user can cause: exit code 2, one line `descent: …` matching `message`, no stack trace. */
async function expectUsageError(args: string[], message: RegExp): Promise<void> {
  const { code, err } = await descent(...args);
  expect(code, args.join(' ')).toBe(2);
  expect(err, args.join(' ')).toMatch(/^descent: [^\n]*\n$/);
  expect(err, args.join(' ')).toMatch(message);
}

describe('descent train', () => {
  it('--scaler normalize maps the training pixels to mean 0 and standard deviation 1 (float64 here), the test pixels by the same statistics', async () => {
    await init({ backend: 'js' });
    const train = tensor(Float32Array.from({ length: 6 * 5 }, (_, i) => (i * 37 % 11) / 10), [6, 5]);
    const test = tensor([0, 0.5, 1, 0.25, 0.75], [1, 5]);
    const { train: a, test: b, mean: m, std: sd } = normalizePixels(train, test);
    const raw = Array.from(train.toArray());
    const mean = raw.reduce((s, v) => s + v, 0) / raw.length;
    const std = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / raw.length);
    expect([m, sd]).toEqual([mean, std]);
    expect(Array.from(a.toArray())).toEqual(raw.map((v) => Math.fround((v - mean) / std)));
    expect(Array.from(b.toArray())).toEqual([0, 0.5, 1, 0.25, 0.75].map((v) => Math.fround((Math.fround(v) - mean) / std)));
    const out = Array.from(a.toArray());
    expect(Math.abs(out.reduce((s, v) => s + v, 0) / out.length)).toBeLessThan(1e-7);
    expect(a.shape).toEqual([6, 5]);
    [train, test, a, b].forEach((t) => t.dispose());
  });


  it('trains, prints the summary table, writes model.safetensors, history.json and curves.svg', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-train-'));
    const { code, out } = await descent('train', '--epochs', '2', '--hidden', '8', '--optimizer', 'nesterov', '--scheduler', 'step', '--out', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/test accuracy\s+\d+\.\d\d%/);
    expect(out).toMatch(/samples\/s\s+[\d,]+/);
    const model = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    expect(Object.keys(model.tensors)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.tensors['0.weight'].shape).toEqual([8, 784]);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history.epochs).toHaveLength(2);
    expect(history.config.optimizer).toBe('nesterov');
    expect(history.config.scaler).toBe('none'); // the MLP keeps the course's raw grey levels
    expect(history.normalize).toBeUndefined();
    expect(readFileSync(join(dir, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path/);
    expect(existsSync(join(dir, 'checkpoint.safetensors'))).toBe(true);
  });

  it('--onnx writes model.onnx beside the checkpoint, and ONNX Runtime gives the saved model\'s logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-onnx-'));
    const { code, out, err } = await descent('train', '--model', 'cnn', '--epochs', '1', '--batch-size', '64', '--onnx', '--out', dir);
    expect(code, err).toBe(0);
    expect(out).toMatch(/written\s+.*model\.safetensors, model\.onnx, history\.json/);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history.config.scaler).toBe('normalize'); // the CNN's default, and the map its inputs need:
    expect(history.normalize.mean).toBeCloseTo(0.1309, 4);
    expect(history.normalize.std).toBeCloseTo(0.3083, 4);
    const model = makeModel('cnn');
    await load(join(dir, 'model.safetensors'), { model });
    model.eval();
    const x = Float32Array.from({ length: 3 * 784 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
    const expected = noGrad(() => model.forward(tensor(x, [3, 1, 28, 28])).toArray());
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const { output } = await session.run({ input: new ort.Tensor('float32', x, [3, 1, 28, 28]) });
    await session.release();
    const logits = output.data as Float32Array;
    expect(logits.length).toBe(30);
    for (let i = 0; i < 30; i++) expect(Math.abs(logits[i] - expected[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(expected[i]));
    model.dispose();
    expect((await descent('train', '--help')).out).toMatch(/--onnx\s+also write model\.onnx/);
  });

  it('answers bad flags and files with one line and exit code 2', async () => {
    for (const args of [['train', '--lr', 'abc'], ['train', '--optimizer', 'adamx'], ['train', '--hidden', '16,x'], ['train', '--resume', '/no/such/file'], ['train', '--dropout', '1']]) {
      const { code, err } = await descent(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^descent: /);
    }
  });

  it('--threads 2 trains the same weights, bit for bit, as one thread', async () => {
    const weights: string[] = [];
    for (const threads of ['1', '2']) {
      const dir = mkdtempSync(join(tmpdir(), `descent-threads-${threads}-`));
      const { code, err } = await descentProcess('train', '--threads', threads, '--epochs', '1', '--hidden', '64,32', '--batch-size', '64', '--out', dir);
      expect(code, err).toBe(0);
      if (threads === '2') expect(err).toMatch(/wasm threads ×2/);
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
      weights.push(JSON.stringify(Object.entries(tensors).map(([name, t]) => [name, Array.from(new Uint32Array(Float32Array.from(t.data).buffer))])));
    }
    expect(weights[1]).toBe(weights[0]);
  });

  it('rejects a bad --threads with one line and exit code 2', async () => {
    const { code, err } = await descent('train', '--threads', '0');
    expect(code).toBe(2);
    expect(err).toMatch(/^descent: .*--threads must be 'auto' or an integer from 1 to 64, got '0'\n$/);
  });

  it('refuses values the issue found accepted, each in flag terms', async () => {
    await expectUsageError(['train', '--lr', '0'], /--lr must be a number > 0, got '0'/);
    await expectUsageError(['train', '--seed', '-1'], /--seed must be an integer from 0 to 2\^32 − 1, got '-1'/);
    await expectUsageError(['train', '--seed', '1.5'], /--seed must be an integer/);
    await expectUsageError(['train', '--momentum', '1'], /--momentum must be a number in \[0, 1\)/);
    await expectUsageError(['train', '--hidden', '16,,8'], /--hidden takes positive integers/);
    await expectUsageError(['train', '--validation-split', '1'], /--validation-split must be a number in \[0, 1\)/);
  });

  it('refuses a flag the chosen optimizer or scheduler does not read, naming who reads it', async () => {
    await expectUsageError(['train', '--momentum', '0.9', '--optimizer', 'adam'], /--momentum is not read by --optimizer adam, only by --optimizer sgd, momentum, nesterov, ema, rmsprop$/m);
    await expectUsageError(['train', '--weight-decay', '0.1', '--optimizer', 'yogi'], /--weight-decay is not read by --optimizer yogi/);
    await expectUsageError(['train', '--step-size', '2'], /--step-size is not read by --scheduler none, only by --scheduler step$/m);
    await expectUsageError(['train', '--gamma', '0.5', '--scheduler', 'cosine'], /--gamma is not read by --scheduler cosine, only by --scheduler step, exponential$/m);
    await expectUsageError(['train', '--t-max', '5', '--scheduler', 'step'], /--t-max is not read by --scheduler step, only by --scheduler cosine$/m);
  });

  it('answers every bad --out with one line and exit code 2, before training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-out-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const clash = join(dir, 'clash');
    mkdirSync(join(clash, 'model.safetensors'), { recursive: true });
    await expectUsageError(['train', '--out', file], /--out .*a-file exists and is not a folder/);
    await expectUsageError(['train', '--out', '/dev/null'], /--out \/dev\/null exists and is not a folder/);
    await expectUsageError(['train', '--out', ''], /--out must name a folder, got ''/);
    await expectUsageError(['train', '--out', join(file, 'sub')], /a part of .* is a file, not a folder/);
    await expectUsageError(['train', '--out', clash], /model\.safetensors inside it exists and is not a file/);
  });

  it('--version prints the package version; --help shows every default the run uses', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const v = await descent('--version');
    expect(v.code).toBe(0);
    expect(v.out).toBe(`${version}\n`);
    const help = (await descent('train', '--help')).out.replace(/\s+/g, ' ');
    for (const [name, lr] of Object.entries(DEFAULT_LR)) expect(help).toContain(`${name} ${lr}`);
    for (const [name, m] of Object.entries(DEFAULT_MOMENTUM)) expect(help).toContain(`${name} ${m}`);
    expect(help).toContain(`StepLR { stepSize: ${SCHEDULER_DEFAULTS.step.stepSize}, gamma: ${SCHEDULER_DEFAULTS.step.gamma} }`);
    expect(help).toContain(`ReduceLROnPlateau { factor: ${SCHEDULER_DEFAULTS.plateau.factor}, patience: ${SCHEDULER_DEFAULTS.plateau.patience} }`);
    expect(help).toMatch(/adamw 0\.01/);
    expect(help).toMatch(/--seed <n> .*\(default: 0\)/);
  });

  it("the help's defaults and who-reads-what are what the optimizers and schedulers built without flags hold", async () => {
    await init();
    const model = new Sequential([new Linear(2, 2)]);
    for (const name of OPTIMIZER_NAMES) {
      const group = makeOptimizer(name, model.parameters(), {}).paramGroups[0] as Record<string, unknown>;
      expect(group.lr, name).toBe(DEFAULT_LR[name]);
      expect(group.momentum ?? group.beta, name).toBe(SPECIFIC_FLAGS.momentum.defaults[name]);
      expect(group.weightDecay, name).toBe(SPECIFIC_FLAGS.weightDecay.defaults[name]);
      // A flag the table says the optimizer does not read changes nothing when given.
      const withFlags = makeOptimizer(name, model.parameters(), { momentum: 0.5, weightDecay: 0.25 }).paramGroups[0] as Record<string, unknown>;
      if (!(name in SPECIFIC_FLAGS.momentum.defaults)) expect(withFlags.momentum ?? withFlags.beta, name).toBe(group.momentum ?? group.beta);
      if (!(name in SPECIFIC_FLAGS.weightDecay.defaults)) expect(withFlags.weightDecay, name).toBe(group.weightDecay);
    }
    const step = makeScheduler('step', makeOptimizer('sgd', model.parameters(), {}), {}, 10, 5).scheduler as unknown as Record<string, unknown>;
    expect([step.stepSize, step.gamma]).toEqual([SPECIFIC_FLAGS.stepSize.defaults.step, SPECIFIC_FLAGS.gamma.defaults.step]);
    const exp = makeScheduler('exponential', makeOptimizer('sgd', model.parameters(), {}), {}, 10, 5).scheduler as unknown as Record<string, unknown>;
    expect(exp.gamma).toBe(SPECIFIC_FLAGS.gamma.defaults.exponential);
    model.dispose();
  });

  it('--resume keeps the run: a contradicting flag or an --epochs already done is an error in flag terms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-resume-'));
    expect((await descent('train', '--epochs', '1', '--hidden', '8', '--out', dir)).code).toBe(0);
    const ckpt = join(dir, 'checkpoint.safetensors');
    await expectUsageError(['train', '--resume', ckpt, '--hidden', '32', '--epochs', '2'], /--hidden 32 differs from the resumed run's 8/);
    await expectUsageError(['train', '--resume', ckpt, '--optimizer', 'sgd', '--epochs', '2'], /--optimizer sgd differs from the resumed run's adam/);
    await expectUsageError(['train', '--resume', ckpt, '--epochs', '1'], /--epochs 1 is not beyond the 1 epochs .* give --epochs 2 or more/);
    await expectUsageError(['train', '--resume', ckpt], /has done all its 1 epochs; give --epochs 2 or more/);
    // Repeating a saved flag is no contradiction.
    const resumed = await descent('train', '--resume', ckpt, '--hidden', '8', '--epochs', '2', '--out', dir);
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')).epochs).toHaveLength(2);
  });

  it('trains 784-1300-1300-10 with Adam for an epoch and resumes from its checkpoint (2.7 M parameters)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-big-'));
    const first = await descent('train', '--hidden', '1300,1300', '--epochs', '1', '--batch-size', '256', '--out', dir);
    expect(first.code, first.err).toBe(0);
    const ckpt = join(dir, 'checkpoint.safetensors');
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(ckpt)));
    expect(Object.keys(tensors).filter((n) => n.startsWith('optimizer/'))).toHaveLength(12);
    const resumed = await descent('train', '--resume', ckpt, '--epochs', '2', '--out', dir);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/784-1300-1300-10 .*resuming after epoch 1/);
  }, 120_000);
});

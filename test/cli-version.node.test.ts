import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Command, type Option } from 'commander';
import { descent } from './cli-helpers.js';
import { init, Sequential, Linear } from '../src/index.js';
import { OPTIMIZER_NAMES, makeOptimizer, makeScheduler } from '../src/catalog/index.js';
import { registerTrain } from '../src/cli/train.js';
import { OTHER_OPTIMIZER_DEFAULTS, OTHER_SCHEDULER_DEFAULTS, optionList } from '../src/cli/train-flags.js';

// `descent --version` and what `descent train --help` promises: every option that takes a value
// shows its default, and the defaults listed for the options no flag sets are the ones the
// optimizers and schedulers the run builds hold.

const root = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

describe('descent --version', () => {
  it("prints package.json's version, from the command line module and from bin/descent.js (-V too)", async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await descent('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
    for (const flag of ['--version', '-V']) {
      const child = spawnSync(process.execPath, [join(root, 'bin/descent.js'), flag], { encoding: 'utf8' });
      expect({ status: child.status, out: child.stdout, err: child.stderr }).toEqual({ status: 0, out: `${version}\n`, err: '' });
    }
    // Read from package.json, never written down twice.
    for (const file of ['src/cli/main.ts', 'bin/descent.js']) expect(readFileSync(join(root, file), 'utf8')).not.toContain(version);
  });
});

describe('descent train --help', () => {
  const train = (() => {
    const program = new Command('descent');
    registerTrain(program);
    return program.commands.find((c) => c.name() === 'train')!;
  })();

  it('shows a default for every option that takes a value', () => {
    const valued = (train.options as Option[]).filter((o) => o.required || o.optional);
    expect(valued.length).toBeGreaterThanOrEqual(22);
    const help = train.createHelp();
    const missing = valued.filter((o) => !/(\(|, )default: [^)]/.test(help.optionDescription(o))).map((o) => o.flags);
    expect(missing).toEqual([]);
  });

  it("lists the options no flag sets as the optimizers and schedulers built without flags hold them", async () => {
    const text = (await descent('train', '--help')).out.replace(/\s+/g, ' ');
    await init();
    const model = new Sequential([new Linear(2, 2)]);
    const flagged = new Set(['params', 'lr', 'momentum', 'beta', 'weightDecay', 'initialLr']);
    expect(Object.keys(OTHER_OPTIMIZER_DEFAULTS)).toEqual(OPTIMIZER_NAMES);
    for (const name of OPTIMIZER_NAMES) {
      const group = makeOptimizer(name, model.parameters(), {}).paramGroups[0] as Record<string, unknown>;
      const rest = Object.fromEntries(Object.entries(group).filter(([k]) => !flagged.has(k)));
      expect(rest, name).toEqual(OTHER_OPTIMIZER_DEFAULTS[name]);
      const shown = Object.keys(rest).length === 0 ? 'none' : optionList(rest, ' ');
      expect(text, name).toContain(`--optimizer ${name} ${shown}`);
    }

    const epochs = 2, batches = 5;
    const adam = makeOptimizer('adam', model.parameters(), {});
    const oneCycle = makeScheduler('onecycle', adam, {}, epochs, batches).scheduler as unknown as {
      totalSteps: number; pctStart: number; annealStrategy: string; maxLrs: number[]; minLrs: number[]; momentum: { base: number[]; max: number[] } | null;
    };
    const o = OTHER_SCHEDULER_DEFAULTS.onecycle;
    const startLr = (adam.paramGroups[0] as { initialLr?: number }).initialLr!;
    expect([oneCycle.totalSteps, oneCycle.pctStart, oneCycle.annealStrategy]).toEqual([epochs * batches, o.pctStart, o.annealStrategy]);
    expect(oneCycle.maxLrs[0] / startLr).toBeCloseTo(o.divFactor, 10);
    expect(startLr / oneCycle.minLrs[0]).toBeCloseTo(o.finalDivFactor, 6);
    expect([oneCycle.momentum?.base[0], oneCycle.momentum?.max[0]]).toEqual([o.baseMomentum, o.maxMomentum]);
    expect(text).toContain(optionList(o));
    // Adagrad and Adadelta have no momentum to cycle: the schedule runs without (torch would refuse).
    for (const name of ['adagrad', 'adadelta']) {
      const plain = makeScheduler('onecycle', makeOptimizer(name, model.parameters(), {}), {}, epochs, batches).scheduler as unknown as { momentum: unknown };
      expect(plain.momentum, name).toBeNull();
    }

    const plateau = makeScheduler('plateau', makeOptimizer('sgd', model.parameters(), {}), {}, epochs, batches).scheduler as unknown as Record<string, unknown>;
    const p = OTHER_SCHEDULER_DEFAULTS.plateau;
    expect([plateau.mode, plateau.threshold, plateau.thresholdMode, plateau.cooldown, (plateau.minLrs as number[])[0], plateau.eps])
      .toEqual([p.mode, p.threshold, p.thresholdMode, p.cooldown, p.minLr, p.eps]);
    expect(text).toContain(optionList(p));
    model.dispose();
  });
});

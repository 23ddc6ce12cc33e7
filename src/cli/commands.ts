import type { Command } from 'commander';
import { registerScheduleCommand } from './schedule.js';
import { registerTrain } from './train.js';
import { registerCompare } from './compare.js';

// Each subcommand lives in its own module and adds itself here.
export function registerCommands(program: Command): void {
  registerTrain(program);
  registerScheduleCommand(program);
  registerCompare(program);
}

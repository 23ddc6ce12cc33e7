import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DescentError } from '../core/errors.js';
import { registerCommands } from './commands.js';

export { UsageError } from './errors.js';

/** The package's version: package.json is two folders up from src/cli and from dist/cli alike. */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The `descent` command line. Every failure a user can cause (a bad flag, a missing file, an
 * option out of range) prints one line `descent: …` and exits with code 2 — never a stack trace.
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = new Command('descent')
    .description('Neural-network training for TypeScript on a WebAssembly SIMD core')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .showHelpAfterError(false);
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      process.stderr.write(`descent: ${error.message.replace(/^error: /, '')}\n`);
      return 2;
    }
    if (error instanceof DescentError) {
      process.stderr.write(`descent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

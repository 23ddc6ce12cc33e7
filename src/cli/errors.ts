import { DescentError } from '../core/errors.js';

/** Thrown by a command for a bad flag or file: printed as one line, exit code 2. */
export class UsageError extends DescentError {}

/**
 * The command line's own packages (commander, the MNIST digits, the vega charts) are optional
 * peer dependencies of `descent`: a library install leaves them out. Thrown when one is missing;
 * the message names every missing package and the command that installs them.
 */
export class MissingPackageError extends DescentError {
  readonly packages: readonly string[];
  constructor(packages: readonly string[], versions: Readonly<Record<string, string>>) {
    const list = packages.map((p) => `${p}@${versions[p] ?? 'latest'}`);
    super(
      `the command line needs ${packages.length === 1 ? 'the package' : 'the packages'} ${packages.join(', ')}, ` +
        `which a library install of descent leaves out. Install ${packages.length === 1 ? 'it' : 'them'} beside it: ` +
        `npm install ${list.map((s) => `'${s}'`).join(' ')}` +
        ` (or once: npx -p descent ${list.map((s) => `-p '${s}'`).join(' ')} descent …)`,
    );
    this.packages = packages;
  }
}

/**
 * The optional peer dependencies that `resolve` cannot find (`resolve` is `import.meta.resolve`
 * of a module in the package, so the lookup starts where `descent` is installed).
 */
export function missingPackages(names: readonly string[], resolve: (name: string) => string): string[] {
  return names.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

#!/usr/bin/env node
// The `descent` command: runs the compiled CLI (npm ci builds dist/ through the prepare script).
// The CLI's packages are optional peer dependencies (a library install leaves them out), so they
// are checked before the CLI is loaded: one line naming every missing package, exit code 2.
import { readFileSync } from 'node:fs';
import { MissingPackageError, missingPackages } from '../dist/cli/errors.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// The version needs none of them: `descent --version` answers in a library install too.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}
const missing = missingPackages(Object.keys(pkg.peerDependencies ?? {}), (name) => import.meta.resolve(name));
if (missing.length > 0) {
  process.stderr.write(`descent: ${new MissingPackageError(missing, pkg.peerDependencies).message}\n`);
  process.exit(2);
}

const { main } = await import('../dist/cli/main.js');
main(process.argv).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`descent: internal error: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);

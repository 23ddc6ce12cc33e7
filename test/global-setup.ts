import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printWhatWeTest } from './what-we-test.js';

// Rebuilds the wasm kernels before the tests when any AssemblyScript source is newer than the
// builds (make-style), so `npm test` never runs against stale kernels and never rebuilds needlessly.
export default function setup(): () => void {
  const root = join(import.meta.dirname, '..');
  const outputs = ['descent-simd.wasm', 'descent-scalar.wasm', 'descent-threads.wasm', 'descent-relaxed.wasm', 'descent-relaxed-threads.wasm'].map((f) => join(root, 'build', f));
  const sources = readdirSync(join(root, 'assembly')).map((f) => join(root, 'assembly', f)).concat(join(root, 'asconfig.json'));
  const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  const stale = outputs.some((f) => !existsSync(f) || statSync(f).mtimeMs < newestSource);
  if (stale) execFileSync('npm', ['run', 'build:wasm'], { cwd: root, stdio: 'inherit' });
  // At the end of the run: the counts the tests wrote, as the README's "What we test" table. Each
  // project (node, chromium) runs this setup; the table is printed once.
  return () => {
    if (process.env.DESCENT_WHAT_WE_TEST_PRINTED) return;
    process.env.DESCENT_WHAT_WE_TEST_PRINTED = '1';
    printWhatWeTest(root);
  };
}

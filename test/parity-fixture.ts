// Regenerates test/fixtures/parity.json, the hashes test/parity.test.ts expects in Node and in
// Chromium alike: `npx tsx test/parity-fixture.ts`. Do it only when a change is meant to alter the
// numbers (an initialiser, a kernel's summation order, the run itself), and say so in the commit.
import { writeFileSync } from 'node:fs';
import { parityRun } from './parity-run.js';

const simd = await parityRun('simd');
const scalar = await parityRun('scalar');
const fixture = {
  comment: 'FNV-1a over the weights after test/parity-run.ts; regenerate with `npx tsx test/parity-fixture.ts`',
  simd: simd.hash,
  scalar: scalar.hash,
  loss: { simd: simd.loss, scalar: scalar.loss },
};
writeFileSync(new URL('./fixtures/parity.json', import.meta.url), JSON.stringify(fixture, null, 2) + '\n');
console.log(fixture);

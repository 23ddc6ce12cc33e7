// Regenerates test/fixtures/conv-parity.json, the hash test/conv-parity.test.ts and
// test/conv-threads.test.ts expect everywhere: `npx tsx test/conv-parity-fixture.ts`. Only when a
// change is meant to alter the numbers (a kernel's summation order, an initialiser, the run), and
// say so in the commit.
import { writeFileSync } from 'node:fs';
import { convParityRun } from './conv-parity-run.js';

const simd = await convParityRun({ backend: 'wasm', build: 'simd' });
const fixture = {
  comment: 'FNV-1a over the CNN weights after test/conv-parity-run.ts; regenerate with `npx tsx test/conv-parity-fixture.ts`',
  hash: simd.hash,
  loss: simd.loss,
};
writeFileSync(new URL('./fixtures/conv-parity.json', import.meta.url), JSON.stringify(fixture, null, 2) + '\n');
console.log(fixture);

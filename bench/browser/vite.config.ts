import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The Chromium half of the training-step benchmark: bench/train-browser.ts builds this page into a
// temporary folder and serves it cross-origin isolated (demo/scripts/serve.mjs) for threads.

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', assetsInlineLimit: 0, emptyOutDir: true, reportCompressedSize: false },
  logLevel: 'warn',
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo page. `npm run build:demo` builds it into demo/dist; `npm run demo` builds and serves
// it (demo/scripts/serve.mjs); `npx vite --config demo/vite.config.ts` is the dev server.
// The page imports the library from source (`descent` is aliased to src/index.ts), so the demo
// needs no `npm run build:ts` first and shows what an app bundling Descent gets.

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here('.'),
  base: './', // relative URLs: the built page works from any folder of any static server
  resolve: { alias: [{ find: /^descent$/, replacement: here('../src/index.ts') }] },
  // The library names layers and options in its messages and summaries by their class names:
  // keep them through minification (`ReLU`, not `an`).
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0, // keep the .wasm files real files (served as application/wasm)
    rolldownOptions: { output: { keepNames: true } },
  },
  server: { headers: isolation, fs: { allow: [here('..')] } },
  preview: { headers: isolation },
});

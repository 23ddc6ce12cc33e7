import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// The demo page. `npm run build:demo` builds it into demo/dist; `npm run demo` builds and serves
// it (demo/scripts/serve.mjs); `npx vite --config demo/vite.config.ts` is the dev server.
// The page imports the library from source (`descent` is aliased to src/index.ts), so the demo
// needs no `npm run build:ts` first and shows what an app bundling Descent gets.

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * src/cli/factory.ts (optimizer and scheduler names → objects, shared with the CLI) is plain
 * TypeScript, but it takes its UsageError from src/cli/main.ts, which imports commander and, through
 * the commands, node:fs and vega. In the page that import is answered by a one-class module.
 */
function browserSafeCliFactory(): Plugin {
  return {
    name: 'descent-demo:cli-factory',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './main.js' && importer?.replace(/\\/g, '/').endsWith('/src/cli/factory.ts')) {
        return here('./src/usage-error.ts');
      }
      return null;
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './', // relative URLs: the built page works from any folder of any static server
  resolve: { alias: [{ find: /^descent$/, replacement: here('../src/index.ts') }] },
  plugins: [browserSafeCliFactory()],
  // The library names layers and options in its messages and summaries by their class names:
  // keep them through minification (`ReLU`, not `an`).
  worker: { format: 'es', plugins: () => [browserSafeCliFactory()], rolldownOptions: { output: { keepNames: true } } },
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

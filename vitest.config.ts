import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// The same test files run twice: in Node and in headless Chromium (Debian's build, which
// .ci/run installs; Playwright never downloads a browser here).
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const nodeMajor = Number(process.versions.node.split('.')[0]);

export default defineConfig({
  test: {
    // In CI a JSON report as well, from which .ci/run prints "N passed, N failed".
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: 'test-results/vitest.json' } : undefined,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true, // inherit globalSetup and the timeouts above
        test: {
          name: 'node', include: ['test/**/*.test.ts'], environment: 'node',
          // Node 20's V8 has relaxed SIMD (the opt-in 'relaxed' build) behind a flag; Chromium and
          // Node ≥ 22 have it on.
          execArgv: nodeMajor < 22 ? ['--experimental-wasm-relaxed-simd'] : [],
        },
      },
      {
        extends: true,
        // Cross-origin isolation, so shared wasm memory can be posted to workers in the page.
        server: {
          // The golden vectors live in ../shared beside the checkout: let Vite serve them.
          fs: { allow: ['.', '../shared'] },
          headers: {
            'Cross-Origin-Opener-Policy': 'same-origin',
            'Cross-Origin-Embedder-Policy': 'require-corp',
          },
        },
        test: {
          name: 'chromium',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: ['--disable-gpu'] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});

// The Chromium rows of the training-step benchmark: builds bench/browser/ with Vite into a temporary
// folder, serves it cross-origin isolated with the demo's server (COOP/COEP, application/wasm) and
// drives it in headless Chromium — Debian's, never a download — through Playwright.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import type { TimingOptions } from './train-step.js';
import type { BrowserResult } from './browser/protocol.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

/** Starts demo/scripts/serve.mjs on a free port; resolves with its URL. */
function serve(dir: string, child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /serving (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`serve.mjs ${dir} exited with ${code}`)));
  });
}

export async function measureChromium(timing: TimingOptions): Promise<BrowserResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'descent-bench-train-'));
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'bench/browser/vite.config.ts', '--outDir', outDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    server = spawn(process.execPath, [join(root, 'demo/scripts/serve.mjs'), outDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await serve(outDir, server);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu'] });
    const page = await browser.newPage();
    page.on('console', (message) => process.stderr.write(`  chromium: ${message.text()}\n`));
    page.on('pageerror', (error) => process.stderr.write(`  chromium page error: ${error.message}\n`));
    await page.goto(url);
    await page.locator('#status[data-state="ready"]').waitFor({ timeout: 30_000 });
    return await page.evaluate((t) => window.runTrainBench({ timing: t }), timing);
  } finally {
    await browser?.close();
    server?.kill();
    rmSync(outDir, { recursive: true, force: true });
  }
}

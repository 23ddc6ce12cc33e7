// The Chromium rows of the training-step benchmark: builds bench/browser/ with Vite into a temporary
// folder, serves it cross-origin isolated with the demo's server (COOP/COEP, application/wasm) and
// drives it in headless Chromium — Debian's, never a download — through Playwright.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { ROWS, interleave, rowName, type TimingOptions } from './train-step.js';
import { forkRounds } from './child-rounds.js';
import { roundsClient, type RoundsClient, type RoundsRequest } from './rounds-protocol.js';
import type { BrowserResult, ServeRequest } from './browser/protocol.js';

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

/**
 * The Chromium rows: Descent's 1 and 2 threads in a page's Web Worker, their rounds taken in turn
 * with Node's (bench/train-main.ts in a child process, `--serve`) row by row, so each "/ Node's"
 * ratio compares the same minutes of the host; then TF.js-wasm in a worker and Descent on the
 * page's main thread.
 */
export async function measureChromium(timing: TimingOptions, quick: boolean): Promise<BrowserResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'descent-bench-train-'));
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let node: RoundsClient | null = null;
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

    node = await forkRounds(new URL('./train-main.ts', import.meta.url), quick);
    const ask = (request: ServeRequest | RoundsRequest) => page.evaluate((r) => window.benchRounds(r), request);
    const served = await ask({ type: 'serve', timing });
    if (served.type === 'error') throw new Error(`Chromium rounds worker: ${served.message}`);
    const inPage = roundsClient(ask, 'Chromium rounds worker', () => page.evaluate(() => window.closeBenchRounds()));
    const paired: { node: number[]; chromium: number[] }[] = [];
    for (const [i, row] of ROWS.entries()) {
      const [nodeRates, chromiumRates] = await interleave([await node.start(i), await inPage.start(i)], timing.samples);
      const losses = [await node.stop(), await inPage.stop()];
      if (!losses.every(Number.isFinite)) throw new Error(`${rowName(row)}: the losses are ${losses.join(', ')}`);
      paired.push({ node: nodeRates, chromium: chromiumRates });
      process.stderr.write(`  ${rowName(row)} ×1 / ×2, Node beside Chromium's worker: ${[...nodeRates, ...chromiumRates].map(Math.round).join(' / ')} samples/s\n`);
    }
    await inPage.close();
    node.close();
    node = null;

    const onPage = await page.evaluate((t) => window.runTrainBench({ type: 'measure', timing: t }), timing);
    return {
      ...onPage,
      rows: onPage.rows.map((row, i) => ({
        ...row, descent1: paired[i].chromium[0], descent2: paired[i].chromium[1], node1: paired[i].node[0], node2: paired[i].node[1],
      })),
    };
  } finally {
    node?.close();
    await browser?.close();
    server?.kill();
    rmSync(outDir, { recursive: true, force: true });
  }
}

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright';
import * as ort from 'onnxruntime-node';

// The demo page as a person uses it: built with Vite, served by the demo's own server
// (demo/scripts/serve.mjs: COOP/COEP, application/wasm) on an ephemeral port, driven in headless
// Chromium (Debian's, never a download): train a few epochs from the form, read the accuracy off
// the page, get a prediction for a digit, watch the trajectory tab move. Leaves a screenshot in
// test-results/demo.png.

const root = join(import.meta.dirname, '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
let outDir = '';
let browser: Browser | null = null;
const servers: ChildProcess[] = [];

/** Starts demo/scripts/serve.mjs on a free port; resolves with its URL. */
function serve(...flags: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(root, 'demo/scripts/serve.mjs'), outDir, '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let out = '', err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /serving (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${err}`)));
  });
}

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon/.test(message.text())) errors.push(message.text());
  });
  await page.goto(url);
  await page.locator('#status[data-state="ready"]').waitFor({ timeout: 30_000 });
  return { page, errors };
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'descent-demo-'));
  // What `npm run build:demo` does, into a scratch folder: the digits (skipped when up to date), then Vite.
  execFileSync(process.execPath, [join(root, 'demo/scripts/build-digits.mjs')], { cwd: root, stdio: 'pipe' });
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'demo/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'pipe' });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const child of servers) child.kill();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('demo page', () => {
  // One cross-origin isolated page for the training, the drawing and the trajectory tab, in order.
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ({ page, errors } = await open(await serve()));
  }, 60_000);

  it('loads the digits and the threads kernels in a worker, cross-origin isolated, with a Threads choice', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The threads build (SIMD over a shared heap), on one thread until a run picks more.
    expect(await page.locator('#env').textContent()).toMatch(/wasm threads kernels in a worker · cross-origin isolated, up to \d+ threads · 7,996 training \/ 2,004 validation/);
    const threads = page.locator('#threads');
    expect(await threads.isDisabled()).toBe(false);
    expect(await threads.inputValue()).toBe('1');
    const options = await threads.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const max = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    expect(options).toEqual(Array.from({ length: max }, (_, i) => String(i + 1)));
    expect(max).toBeGreaterThanOrEqual(2); // the training below runs on 2 threads
  });

  it('shows a black 28×28 preview and asks for training before anything is drawn', async () => {
    const alpha = await page.evaluate(() => {
      const c = document.getElementById('preview') as HTMLCanvasElement;
      return c.getContext('2d')!.getImageData(0, 0, 28, 28).data[3];
    });
    expect(alpha).toBe(255); // painted (opaque black), not a blank transparent canvas
    expect(await page.locator('#prediction').textContent()).toBe('Train the network, then draw.');
  });

  it('trains MNIST from the form above 85% validation accuracy, the page responsive meanwhile', async () => {
    await page.selectOption('#optimizer', 'adam');
    await page.fill('#lr', '0.002');
    await page.selectOption('#scheduler', 'cosine');
    await page.fill('#hidden', '128, 64');
    await page.fill('#batch-size', '32');
    await page.fill('#epochs', '3');
    await page.selectOption('#threads', '2');
    await page.click('#train');
    await page.locator('#status[data-state="training"]').waitFor();
    // The worker trains; the page's own event loop stays free.
    const lag = await page.evaluate(() => new Promise<number>((resolve) => {
      const t = performance.now();
      setTimeout(() => resolve(performance.now() - t), 0);
    }));
    // Training on the page's own thread would block it for whole epochs (seconds); a generous
    // bound keeps a loaded CI machine from failing a page that is in fact responsive.
    expect(lag).toBeLessThan(500);
    await page.locator('#status[data-state="done"]').waitFor({ timeout: 45_000 });

    const accuracy = Number(await page.locator('#val-acc').getAttribute('data-value'));
    const samplesPerSecond = Number(await page.locator('#samples-per-s').getAttribute('data-value'));
    expect(accuracy).toBeGreaterThan(0.85);
    expect(samplesPerSecond).toBeGreaterThan(0);
    expect(await page.locator('#epoch').textContent()).toBe('3 / 3');
    // The worker's init({ threads: 2 }) took: its BackendInfo is in the header.
    expect(await page.locator('#env').textContent()).toMatch(/wasm threads ×2 kernels in a worker · cross-origin isolated/);
  });

  it('predicts a validation digit and a digit drawn with the mouse', async () => {
    await page.click('#sample');
    await page.locator('#prediction[data-digit]').waitFor();
    const probs = await page.locator('#probs li').evaluateAll((li) => li.map((el) => Number((el as HTMLElement).dataset.p)));
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

    // A "1": one slightly slanted vertical stroke.
    await page.click('#clear');
    const box = (await page.locator('#draw-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.18);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + box.width * (0.52 - 0.004 * i), box.y + box.height * (0.18 + 0.052 * i));
    await page.mouse.up();
    await page.locator('#prediction[data-digit]').waitFor();
    expect(Number(await page.locator('#prediction').getAttribute('data-digit'))).toBe(1);

    // Into test-results/ (not tracked): a test run changes no file of the checkout. The README's
    // picture (docs/demo.png) is this screenshot, copied there by hand when the page changes.
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-results/demo.png') });
  });

  it('trains the CNN for one epoch and predicts a validation digit with it', async () => {
    await page.click('#clear');
    await page.selectOption('#network', 'cnn');
    expect(await page.locator('#hidden').isDisabled()).toBe(true); // the MLP's settings do not apply
    await page.fill('#epochs', '1');
    await page.click('#train');
    await page.locator('#status[data-state="training"]').waitFor();
    await page.locator('#status[data-state="done"]').waitFor({ timeout: 60_000 });
    // The Conv2d → … → Linear(784, 10) summary, not the MLP's.
    expect(await page.locator('#model').textContent()).toMatch(/Conv2d/);
    expect(Number(await page.locator('#val-acc').getAttribute('data-value'))).toBeGreaterThan(0.8);
    // Trained, nothing drawn: the page asks for a digit instead of still asking for training.
    expect(await page.locator('#prediction').textContent()).toBe('Draw a digit.');
    await page.click('#sample');
    await page.locator('#prediction[data-digit]').waitFor();
    const label = Number(/label: (\d)/.exec((await page.locator('#sample-label').textContent())!)![1]);
    const probs = await page.locator('#probs li').evaluateAll((li) => li.map((el) => Number((el as HTMLElement).dataset.p)));
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(probs.indexOf(Math.max(...probs))).toBe(Number(await page.locator('#prediction').getAttribute('data-digit')));
    expect(label).toBeGreaterThanOrEqual(0);
    // Download ONNX: the CNN as a file ONNX Runtime runs, [batch, 1, 28, 28] → 10 logits.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-onnx')]);
    expect(download.suggestedFilename()).toBe('descent-mnist-cnn.onnx');
    const session = await ort.InferenceSession.create(readFileSync(await download.path()));
    const { output } = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 784), [2, 1, 28, 28]) });
    expect(output.dims).toEqual([2, 10]);
    await session.release();
    await page.screenshot({ path: join(root, 'test-results/demo-cnn.png') });
  });

  it('animates the optimizer trajectories on the 2-D test functions', async () => {
    await page.click('#tab-trajectories');
    await expect.poll(async () => Number(await page.locator('#traj-step').getAttribute('data-step')), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator('#traj-table tbody tr').count()).toBe(8); // the course's eight optimizers
    // The widest function name fits its menu (the menu does not cut its text).
    const fits = await page.locator('#function').evaluate((el) => {
      const select = el as HTMLSelectElement;
      const probe = document.createElement('span');
      probe.style.font = getComputedStyle(select).font;
      probe.style.position = 'absolute';
      document.body.append(probe);
      const widest = Math.max(...Array.from(select.options, (o) => ((probe.textContent = o.text), probe.getBoundingClientRect().width)));
      probe.remove();
      return widest + 30 <= select.clientWidth; // 30 px for padding and the arrow
    });
    expect(fits).toBe(true);
    await page.selectOption('#function', 'quadratic');
    await expect.poll(async () => page.locator('#traj-step').getAttribute('data-steps')).toBe('500');
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('demo page without COOP/COEP', () => {
  it('works without cross-origin isolation too', async () => {
    const { page, errors } = await open(await serve('--no-isolation'));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.locator('#env').textContent()).toMatch(/wasm simd kernels in a worker · not cross-origin isolated · 7,996 training \/ 2,004 validation/);
    // No shared memory, so one thread: the Threads choice is disabled and says why.
    const threads = page.locator('#threads');
    expect(await threads.isDisabled()).toBe(true);
    expect(await threads.inputValue()).toBe('1');
    expect(await threads.getAttribute('title')).toMatch(/cross-origin isolated/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

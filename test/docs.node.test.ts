import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Docs that run: every code block of README.md and docs/*.md (docs/api/ is generated and left out)
// is executed, so no example in the docs can rot.
//
// The convention, by the block's tag:
// - ```ts / ```js: a complete Node ESM program. It is written to a fresh temporary folder beside a
//   package.json with "type": "module", whose node_modules/descent links to this checkout (what
//   `npm install descent` gives: the package's own exports map, dist/ and build/; and
//   node_modules/onnxruntime-node to the checkout's, for onnx.md), and run with
//   tsx (ts) or node (js). It must exit with code 0 within BLOCK_TIMEOUT_MS and print nothing on
//   stderr; it may write only into os.tmpdir() (its working directory is the temporary folder).
// - ```html: a complete page. It is served at /index.html of a server that also serves this
//   checkout as /node_modules/descent/ and its dependencies as /node_modules/<name>/ (with
//   COOP/COEP, so threads work), the layout an install gives a page without a bundler: import from
//   './node_modules/descent/dist/index.js'. It is opened in headless Chromium; the page must write
//   its result into an element with id "out" (the test waits for it to be non-empty) and raise no
//   page error, no console error and no failed request.
// - ```sh, ```bash, ```text, ```console, ```python, ```json: shown, not run. A ```text block that
//   follows a ts/js/html block with only a sentence starting with "prints" between them is that
//   block's expected output: a program's stdout, a page's #out text, must be exactly that text
//   (trailing spaces and blank lines aside).
// - A block without a tag is an error here: say what it is.
// The test fails when a block throws, exits non-zero, writes to stderr or times out, and when a
// relative link of a page reaches no file, or no heading of the page it names.

const root = join(import.meta.dirname, '..');
const BLOCK_TIMEOUT_MS = 20_000;
const RUN = new Set(['ts', 'js', 'html']);
const SHOWN = new Set(['sh', 'bash', 'text', 'console', 'python', 'py', 'json']);
const exec = promisify(execFile);

interface Block { file: string; line: number; lang: string; code: string; prints?: string }

/** The fenced code blocks of a Markdown file (``` fences, indented ones included). */
function codeBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) { prose.push(lines[i]); continue; }
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++].slice(indent));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: code block never closed`);
    const block: Block = { file, line: i + 1, lang: open[2].toLowerCase(), code: body.join('\n') + '\n' };
    const previous = blocks.at(-1);
    if (block.lang === 'text' && previous && RUN.has(previous.lang) && /^prints\b/.test(prose.join(' ').trim())) {
      previous.prints = block.code;
    }
    blocks.push(block);
    prose = [];
    i = j;
  }
  return blocks;
}

const trimLines = (text: string): string => text.split('\n').map((l) => l.trimEnd()).join('\n').trim();

const docFiles = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const blocks = docFiles.flatMap((f) => codeBlocks(f, readFileSync(join(root, f), 'utf8')));
const runnable = blocks.filter((b) => RUN.has(b.lang));

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'descent-docs-'));
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(root, join(work, 'node_modules', 'descent'), 'dir');
  symlinkSync(join(root, 'node_modules', 'onnxruntime-node'), join(work, 'node_modules', 'onnxruntime-node'), 'dir'); // onnx.md runs its file
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'docs-blocks', private: true, type: 'module' }));
});
afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

describe('docs: every code block is tagged', () => {
  it('found the pages and their blocks', () => {
    expect(docFiles).toContain('README.md');
    expect(runnable.length).toBeGreaterThan(5);
    expect(runnable.filter((b) => b.lang === 'html').length, 'page blocks').toBeGreaterThan(0);
    expect(runnable.filter((b) => b.prints !== undefined).length, 'blocks whose output is shown').toBeGreaterThan(0);
  });
  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('%s has a known tag', (_, b) => {
    expect(RUN.has(b.lang) || SHOWN.has(b.lang), `${b.file}:${b.line}: tag the block (ts, js, html run; sh, text shown), got "${b.lang}"`).toBe(true);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
const prose = (file: string): string => readFileSync(join(root, file), 'utf8').replace(/^\s*```[\s\S]*?^\s*```\s*$/gm, '');

describe('docs: links', () => {
  const anchors = new Map(docFiles.map((f) => [f, new Set([...prose(f).matchAll(/^#+\s+(.*)$/gm)].map((m) => anchorOf(m[1])))]));
  it.each(docFiles)('every relative link of %s reaches a file (and its heading)', (file) => {
    const broken: string[] = [];
    for (const [, link] of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(link)) continue;
      const [path, anchor] = link.split('#');
      const target = path ? normalize(join(file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '', path)) : file;
      if (path && !existsSync(join(root, target))) broken.push(`${link}: no such file`);
      else if (anchor && target.endsWith('.md') && !anchors.get(target)?.has(anchor)) broken.push(`${link}: no such heading`);
    }
    expect(broken, file).toEqual([]);
  });
});

describe('docs: Node blocks run', () => {
  const node = runnable.filter((b) => b.lang !== 'html');
  it.each(node.map((b, i) => [`${b.file}:${b.line} (${b.lang})`, b, i] as const))('%s', async (_, b, i) => {
    const dir = join(work, `block-${i}`);
    mkdirSync(dir);
    const file = join(dir, b.lang === 'ts' ? 'main.ts' : 'main.mjs');
    writeFileSync(file, b.code);
    // Node 20's V8 has relaxed SIMD (the opt-in 'relaxed' build) behind a flag, as in vitest.config.ts;
    // .ts blocks run through tsx's loader.
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    const flags = nodeMajor < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
    if (b.lang === 'ts') flags.push('--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href);
    const run = await exec(process.execPath, [...flags, file], { cwd: dir, timeout: BLOCK_TIMEOUT_MS, maxBuffer: 16 << 20 }).catch((e) => {
      const err = e as { code?: number; killed?: boolean; stdout?: string; stderr?: string };
      throw new Error(`${b.file}:${b.line}: the block ${err.killed ? `timed out after ${BLOCK_TIMEOUT_MS} ms` : `exited with ${err.code}`}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
    });
    expect(run.stderr, `${b.file}:${b.line} wrote to stderr`).toBe('');
    if (b.prints !== undefined) expect(trimLines(run.stdout), `${b.file}:${b.line}: its output, shown after it`).toBe(trimLines(b.prints));
  }, BLOCK_TIMEOUT_MS + 5_000);
});

const MIME: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

describe('docs: page blocks run in Chromium', () => {
  const pages = runnable.filter((b) => b.lang === 'html');
  let server: Server | undefined;
  let page = '';
  let origin = '';
  beforeAll(async () => {
    if (pages.length === 0) return;
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
        return;
      }
      if (path === '/favicon.ico') { res.writeHead(204, headers).end(); return; } // asked for by the browser, not the page
      const prefix = '/node_modules/descent/';
      const file = path.startsWith(prefix) ? normalize(join(root, path.slice(prefix.length)))
        : path.startsWith('/node_modules/') ? normalize(join(root, path)) : '';
      if (!file.startsWith(root + '/') || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return; }
      res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const addr = server.address();
    origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => { await new Promise((r) => (server ? server.close(r) : r(undefined))); });

  it.each(pages.map((b) => [`${b.file}:${b.line} (html)`, b] as const))('%s', async (_, b) => {
    const { chromium } = await import('playwright');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium', args: ['--disable-gpu'] });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      let failed: () => void = () => {};
      const failure = new Promise<void>((r) => { failed = r; });
      tab.on('pageerror', (e) => { errors.push(String(e)); failed(); });
      tab.on('console', (m) => { if (m.type() === 'error') { errors.push(m.text()); failed(); } });
      tab.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
      page = b.code;
      await tab.goto(`${origin}/index.html`);
      const done = tab.waitForFunction(() => (document.getElementById('out')?.textContent ?? '').trim() !== '', undefined, { timeout: BLOCK_TIMEOUT_MS })
        .then(() => undefined, () => { if (errors.length === 0) errors.push(`#out stayed empty for ${BLOCK_TIMEOUT_MS} ms`); });
      await Promise.race([done, failure]);
      expect(errors, `${b.file}:${b.line}`).toEqual([]);
      if (b.prints !== undefined) expect(trimLines(await tab.textContent('#out') ?? ''), `${b.file}:${b.line}: its output, shown after it`).toBe(trimLines(b.prints));
    } finally {
      await browser.close();
    }
  }, BLOCK_TIMEOUT_MS + 20_000);
});

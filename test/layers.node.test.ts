import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_KERNEL_NAMES } from '../src/backend/backend.js';
import * as optim from '../src/optim/index.js';
import { OPTIMIZERS } from '../src/catalog/optimizers.js';
import { importsIn, resolveRelative, runtimeGraph } from './imports.js';

// The house rules of the layout (docs/layout.md), read off the source text with the TypeScript
// parser: folders import only the folders below them, no two files import each other's values
// round a cycle, the main entry imports no package, the demo reads the catalogue and never the
// command line, no source file grows past 400 lines, and the wasm build exports exactly the
// kernels the table declares.

const root = join(import.meta.dirname, '..');

/** The folders of src/, lowest first: a file may import values only from its own folder or a lower rank. */
const RANK: Record<string, number> = {
  core: 0, backend: 1, autograd: 2, ops: 3, nn: 4, optim: 5, schedulers: 5, data: 5, io: 6, train: 7,
  catalog: 8, cli: 9, '.': 10,
};

/**
 * The type-only imports that point up, each with its reason; a new one must be named here. Types
 * vanish from the emitted JavaScript, so they make no cycle at run time.
 */
const TYPE_ONLY_UPWARD = new Set([
  // The runtime holds the active backend, whose type follows from the kernel table in backend/.
  'core/runtime.ts -> backend/backend.ts',
]);

interface Edge { from: string; to: string; typeOnly: boolean }

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every relative import and re-export of the files, resolved to paths relative to root. */
function importsOf(files: string[]): Edge[] {
  return files.flatMap((file) => importsIn(file)
    .filter((i) => !i.dynamic && i.spec.startsWith('.'))
    .map((i) => ({ from: relative(root, file), to: relative(root, resolveRelative(file, i.spec)), typeOnly: i.typeOnly })));
}

/** src/core/tensor.ts → 'core'; src/index.ts → '.'; outside src → null. */
function folderOf(path: string): string | null {
  const parts = path.split(sep);
  if (parts[0] !== 'src') return null;
  return parts.length > 2 ? parts[1] : '.';
}

/** The strongly connected components of more than one file (Tarjan). */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

const srcEdges = importsOf(tsFiles(join(root, 'src')));
const short = (path: string) => path.replace(/^src\//, '');

describe('layers', () => {
  it('reads a real import graph (the parser finds the known edges)', () => {
    expect(srcEdges.length).toBeGreaterThan(300);
    expect(srcEdges).toContainEqual({ from: join('src', 'nn', 'linear.ts'), to: join('src', 'ops', 'matmul.ts'), typeOnly: false });
    expect(srcEdges).toContainEqual({ from: join('src', 'core', 'runtime.ts'), to: join('src', 'backend', 'backend.ts'), typeOnly: true });
    // and the cycle finder finds a planted one
    expect(cycles([{ from: 'a', to: 'b', typeOnly: false }, { from: 'b', to: 'c', typeOnly: false }, { from: 'c', to: 'a', typeOnly: false }]))
      .toEqual([['a', 'b', 'c']]);
  });

  it('has no folder of src/ missing from the ranks', () => {
    const folders = new Set(srcEdges.flatMap((e) => [folderOf(e.from), folderOf(e.to)]).filter((f) => f !== null));
    expect([...folders].filter((f) => !(f! in RANK))).toEqual([]);
  });

  it('imports values only from the same folder or a lower one', () => {
    const upward = srcEdges.filter((e) => {
      const a = folderOf(e.from), b = folderOf(e.to);
      if (a === null || b === null || a === b) return false;
      return RANK[b] >= RANK[a] && (!e.typeOnly || !TYPE_ONLY_UPWARD.has(`${short(e.from)} -> ${short(e.to)}`));
    });
    expect(upward.map((e) => `${short(e.from)} -> ${short(e.to)}${e.typeOnly ? ' (type only)' : ''}`)).toEqual([]);
  });

  it('names only type-only upward imports that exist (the list is not stale)', () => {
    const present = new Set(srcEdges.filter((e) => e.typeOnly).map((e) => `${short(e.from)} -> ${short(e.to)}`));
    expect([...TYPE_ONLY_UPWARD].filter((edge) => !present.has(edge))).toEqual([]);
  });

  it('has no import cycle between files, type-only imports aside', () => {
    expect(cycles(srcEdges.filter((e) => !e.typeOnly)).map((c) => c.map(short))).toEqual([]);
  });

  it("keeps the main entry free of packages: nothing src/index.ts loads imports one (ONNX export's are descent/onnx's)", () => {
    // A bare specifier in the main entry's graph would make a page without a bundler need an
    // import map, and a module worker without one (workers have no import maps) fail to load.
    const main = runtimeGraph(join(root, 'src', 'index.ts'));
    expect(main.files.length).toBeGreaterThan(100);
    expect(main.files).toContain(join(root, 'wasm-files.js'));
    expect(main.external.map((e) => `${relative(root, e.file)} -> ${e.spec}`)).toEqual([]);
    // the walk finds a package import where there is one
    const onnx = runtimeGraph(join(root, 'src', 'onnx.ts')).external.map((e) => `${relative(root, e.file)} -> ${e.spec}`);
    expect(onnx).toContain(`${join('src', 'io', 'onnx.ts')} -> @bufbuild/protobuf`);
    expect(onnx).toContain(`${join('src', 'io', 'onnx-layers.ts')} -> onnx-buf`);
  });

  it('keeps the demo on the browser-safe catalogue, never the command line', () => {
    const demoEdges = importsOf(tsFiles(join(root, 'demo', 'src')));
    expect(demoEdges.some((e) => e.to.startsWith(join('src', 'catalog')))).toBe(true);
    expect(demoEdges.filter((e) => e.to.startsWith(join('src', 'cli'))).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('has no source file over 400 lines', () => {
    const files = ['src', 'assembly', 'bench', 'demo/src'].flatMap((dir) => tsFiles(join(root, dir)));
    expect(files.length).toBeGreaterThan(150);
    const long = files
      .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 400);
    expect(long).toEqual([]);
  });
});

describe('kernel table', () => {
  it('declares every kernel the wasm build exports, and no other', async () => {
    const module = await WebAssembly.compile(readFileSync(join(root, 'build', 'descent-simd.wasm')));
    const exported = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    expect(exported.filter((name) => name !== 'heapBase').sort()).toEqual([...ALL_KERNEL_NAMES].sort());
  });
});

describe('optimizers', () => {
  it('has a catalogue record for every optimizer class, and every class states its defaults', () => {
    const classes = Object.values(optim).filter((v): v is typeof optim.SGD => typeof v === 'function' && v.prototype instanceof optim.Optimizer);
    expect(classes.length).toBeGreaterThanOrEqual(12);
    const catalogued = new Set<unknown>(Object.values(OPTIMIZERS).map((r) => r.optimizer));
    expect(classes.filter((c) => !catalogued.has(c)).map((c) => c.name)).toEqual([]);
    expect(classes.filter((c) => !Object.hasOwn(c, 'defaults')).map((c) => c.name)).toEqual([]);
  });
});

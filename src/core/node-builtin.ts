// Node's built-in modules, imported at run time where only Node reaches (reading a file, starting
// a worker thread). The name is a variable, not a literal, so that no bundler (Vite, webpack,
// esbuild, Rollup) tries to resolve `node:fs` & co. for a page; the comments silence Vite's and
// webpack's notices about a non-literal import. Every Node-only import in the library goes through
// here — test/consumers.node.test.ts bundles the package for a page with each of them.

/** `import(name)` of a Node built-in (`'node:fs/promises'`), out of every bundler's sight. */
export function importNodeBuiltin<T>(name: `node:${string}`): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<T>;
}

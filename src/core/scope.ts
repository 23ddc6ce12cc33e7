import { OptionError } from './errors.js';
import { FUNCTION, checkValue, render, required } from './validate.js';

// tidy(): everything created inside is disposed at the end except what the function returns.
// Scopes nest; a returned tensor moves to the enclosing scope so an outer tidy still owns it.

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];
const FN = required(FUNCTION); // built once, not on every tidy

/** Registers a new tensor with the innermost tidy scope, if any. */
export function track<T extends Disposable>(t: T): T {
  scopes[scopes.length - 1]?.add(t);
  return t;
}

/** Removes `t` from every open scope so no tidy disposes it. Returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  if (typeof (t as { dispose?: unknown } | null)?.dispose !== 'function') {
    throw new OptionError(`keep: t must be a Tensor or another disposable object, got ${render(t)}`);
  }
  for (const scope of scopes) scope.delete(t);
  return t;
}

/** Runs `fn` and disposes every tensor it created except those in its (synchronous) result. */
export function tidy<R>(fn: () => R): R {
  checkValue('tidy', 'fn', fn, FN);
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    disposeAll(scope, new Set());
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    disposeAll(scope, new Set());
    throw new OptionError('tidy: fn must be synchronous (it returned a Promise); await outside tidy');
  }
  const kept = new Set<Disposable>();
  collect(result, kept, new Set());
  disposeAll(scope, kept);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
  return result;
}

function disposeAll(scope: Set<Disposable>, kept: Set<Disposable>): void {
  for (const t of scope) if (!kept.has(t) && !t.isDisposed) t.dispose();
}

function collect(value: unknown, out: Set<Disposable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isDisposable(value)) {
    out.add(value);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, seen);
  } else if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, seen);
  }
}

function isDisposable(value: object): value is Disposable {
  return typeof (value as Disposable).dispose === 'function' && 'isDisposed' in value;
}

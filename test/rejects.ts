import { expect } from 'vitest';
import { DescentError } from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';
import { countRejected } from './train-counts.js';

type ErrorClass = new (...args: never[]) => DescentError;

/**
 * Asserts that `call` throws `type` (a DescentError subclass) with `message` (exact text, or a
 * pattern), and that the heap holds exactly the bytes it held before: a rejected call keeps
 * nothing. Counts the call as an invalid call rejected.
 */
export function expectRejected(call: () => unknown, type: ErrorClass, message: string | RegExp, kind = type.name): void {
  const heap = requireHeap();
  const before = heap.bytesInUse;
  let error: unknown = null;
  try {
    call();
  } catch (e) {
    error = e;
  }
  check(error, type, message);
  countRejected(kind);
  expect(heap.bytesInUse, `heap after ${String(message)}`).toBe(before);
}

/** The same for a call that returns a promise (fit). */
export async function expectRejectedAsync(call: () => Promise<unknown>, type: ErrorClass, message: string | RegExp, kind = type.name): Promise<void> {
  const heap = requireHeap();
  const before = heap.bytesInUse;
  let error: unknown = null;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  check(error, type, message);
  countRejected(kind);
  expect(heap.bytesInUse, `heap after ${String(message)}`).toBe(before);
}

function check(error: unknown, type: ErrorClass, message: string | RegExp): void {
  expect(error, `expected ${type.name}: ${String(message)}`).toBeInstanceOf(type);
  const text = (error as Error).message;
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message);
}

// One family of typed errors, thrown at the API boundary before any kernel runs. Every message
// names the argument, the value or shapes it got, and what was expected, so a user can fix the
// call without reading our source.

/** Base class of every error Descent throws on purpose. */
export class DescentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together, or a shape that is not a list of non-negative integers. */
export class ShapeError extends DescentError {}

/** An option or argument outside its valid range (a negative size, a non-finite α, …). */
export class OptionError extends DescentError {}

/** Use of a tensor after `dispose()`. */
export class DisposedError extends DescentError {}

/** Misuse of the heap: double free, freeing an offset that was never allocated, out of memory. */
export class HeapError extends DescentError {}

/** The runtime is not ready, or a backend / build cannot be loaded on this host. */
export class BackendError extends DescentError {}

/** A NaN or Inf where a finite value is required (a loss during training, a scalar option). */
export class NonFiniteError extends DescentError {}

/** Formats a shape as `[2, 3]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

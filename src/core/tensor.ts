import { DisposedError, OptionError, ShapeError, formatShape } from './errors.js';
import { requireBackend, requireHeap } from './runtime.js';
import { checkShape } from './shape.js';
import { track } from './scope.js';
import { countTensorBlock } from './memory.js';
import { BOOLEAN, TENSOR_BRAND, checkValue } from './validate.js';
import type { GradFn } from './grad-fn.js';


/**
 * A float32 array with a shape, stored in the shared wasm heap. The Tensor holds only the byte
 * offset; `data` builds a fresh view on every read because growing the heap detaches old views.
 * `dispose()` returns the memory at once (there is no garbage collector for the heap).
 *
 * A tensor either owns its block or is a view into another tensor's memory (a reshape, or a
 * parameter inside its model's contiguous parameter block); disposing a view frees nothing.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  /** Byte offset of element 0, or −1 once disposed. */
  private start: number;
  /** The heap block this tensor frees on dispose; −1 for a view. */
  private block: number;
  /** For a view: the tensor whose memory it reads (checked for disposal on every access). */
  private base: Tensor | null;

  /** Whether gradients flow to this tensor (set by `tensor(…, { requiresGrad })` or Parameter). */
  requiresGrad = false;
  /** The gradient this tensor owns (see `grad`). */
  private gradient: Tensor | null = null;
  /** How this tensor was computed, for backward; null for leaves and outside grad mode. */
  gradFn: GradFn | null = null;
  /** Bumped by every in-place write a module makes, so a stale graph is detected in backward. */
  version = 0;
  /** Small tensors this one keeps alive and frees with itself (a scalar operand saved for backward). */
  private attachments: Tensor[] | null = null;
  /**
   * Zeros not written yet (a gradient after zeroGrad): reading `offset` writes them first, so every
   * reader sees zeros, while backward's first contribution takes them instead (takePendingZeros)
   * and overwrites the whole tensor: no fill, and a gemm with β = 0 rather than one that adds to
   * zeros it has to read.
   */
  private zerosPending = false;
  /** The relocated parts of this block (relocateInto) whose zeros are pending: its own reads write them first. */
  private pendingParts: Set<Tensor> | null = null;
  /** Whether this view is a part of a block (relocateInto), as a model's gradients are of its gradient block. */
  private isPart = false;

  /** Allocates an uninitialised tensor. Use `tensor()` / `zeros()` rather than this. */
  constructor(shape: readonly number[]) {
    this.size = checkShape('Tensor', shape);
    // A frozen shape (another tensor's: backward's gradient buffers) cannot change: shared, not copied.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.block = requireHeap().alloc(this.size * 4);
    countTensorBlock(1);
    this.start = this.block;
    this.base = null;
    track(this);
  }

  /** A tensor of `shape` reading `base`'s memory from byte `byteOffset` on (no copy, no tracking). */
  static view(base: Tensor, shape: readonly number[], byteOffset = 0): Tensor {
    const size = checkShape('Tensor.view', shape);
    if (byteOffset < 0 || byteOffset + size * 4 > base.size * 4) {
      throw new ShapeError(
        `view of shape ${formatShape(shape)} at byte ${byteOffset} does not fit in a tensor of shape ${formatShape(base.shape)}`,
      );
    }
    const t = Object.create(Tensor.prototype) as Tensor;
    Object.assign(t, {
      shape: Object.freeze([...shape]), size, start: base.offset + byteOffset, block: -1, base,
      requiresGrad: false, gradient: null, gradFn: null, version: 0, attachments: null,
      zerosPending: false, pendingParts: null, isPart: false,
    });
    return t;
  }

  /** Lets the validation rules recognise a Tensor without importing this class. */
  get [TENSOR_BRAND](): true {
    return true;
  }

  /** Byte offset of the first element in the heap (what kernels take). */
  get offset(): number {
    if (this.start < 0 || (this.base !== null && this.base.isDisposed)) {
      throw new DisposedError(`tensor of shape ${formatShape(this.shape)} was used after dispose()`);
    }
    if (this.zerosPending) this.writePendingZeros();
    else if (this.pendingParts !== null) this.writePendingParts();
    // A view reads its base's memory: the base's pending zeros (or, for a view that is not one of
    // a block's parts, which never overlap, its parts' ones) are written first.
    const base = this.base;
    if (base !== null && (base.zerosPending || (base.pendingParts !== null && !this.isPart))) void base.offset;
    return this.start;
  }

  /**
   * Internal (zeroGrad): the elements read as zeros from now on, written when something first reads
   * them — unless backward's first contribution overwrites them all before (takePendingZeros).
   */
  zeroLazily(): void {
    void this.offset; // a disposed tensor throws here
    this.zerosPending = true;
    if (this.isPart) (this.base!.pendingParts ??= new Set()).add(this);
  }

  /**
   * Internal (backward): whether zeros were pending, dropping them unwritten — for a caller about to
   * overwrite every element.
   */
  takePendingZeros(): boolean {
    if (!this.zerosPending) return false;
    this.zerosPending = false;
    if (this.isPart) this.base!.pendingParts?.delete(this);
    return true;
  }

  private writePendingZeros(): void {
    this.takePendingZeros();
    requireBackend().fill(this.start, this.size, 0);
  }

  private writePendingParts(): void {
    const parts = this.pendingParts!;
    this.pendingParts = null;
    for (const part of parts) if (part.zerosPending) part.writePendingZeros();
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.start < 0 || (this.base !== null && this.base.isDisposed);
  }

  /** True for tensors not produced by a recorded operation (inputs, parameters). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * A live view of the elements, row-major. Valid only until the next allocation anywhere
   * (which may grow the heap): read it, use it, drop it.
   */
  get data(): Float32Array {
    return requireHeap().f32(this.offset, this.size);
  }

  /** A copy of the elements, row-major, safe to keep. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item() needs a tensor with one element, got shape ${formatShape(this.shape)}`);
    }
    return this.data[0];
  }

  /** A copy in a new tensor of its own (no gradient history). */
  clone(): Tensor {
    const from = this.offset; // a disposed tensor throws here, before anything is allocated
    const t = new Tensor(this.shape);
    requireBackend().copy(from, t.offset, this.size);
    return t;
  }

  /** Sets `requiresGrad` (leaves only) and returns this. */
  requiresGrad_(value = true): this {
    checkValue('requiresGrad_', 'value', value, BOOLEAN);
    if (!this.isLeaf) throw new OptionError('requiresGrad_ can only be set on a leaf tensor (one not computed from others)');
    this.requiresGrad = value;
    return this;
  }

  /**
   * Moves this tensor's elements into `base` at `byteOffset` and makes it a view there, keeping
   * its identity (a model gathers its parameters into one contiguous block this way). Internal.
   */
  relocateInto(base: Tensor, byteOffset: number): void {
    if (byteOffset % 4 !== 0 || byteOffset < 0 || byteOffset + this.size * 4 > base.size * 4) {
      throw new ShapeError(`relocateInto: ${this.size} elements at byte ${byteOffset} do not fit in ${formatShape(base.shape)}`);
    }
    const target = base.offset + byteOffset;
    requireBackend().copy(this.offset, target, this.size);
    if (this.block >= 0) { requireHeap().free(this.block); countTensorBlock(-1); }
    this.block = -1;
    this.start = target;
    this.base = base;
    this.isPart = true;
  }

  /**
   * The accumulated gradient of a leaf tensor after `backward()`. The tensor owns it, as dispose()
   * frees it with the tensor: giving it another value (`x.grad = null`, as torch's `x.grad = None`)
   * frees the gradient it held, so resetting a gradient this way keeps the heap flat. To keep an
   * old gradient past that, clone it first.
   */
  get grad(): Tensor | null {
    return this.gradient;
  }

  set grad(value: Tensor | null) {
    const old = this.gradient;
    this.gradient = value;
    if (old !== null && old !== value && old.block >= 0) old.dispose();
  }

  /** Makes `dependent` live exactly as long as this tensor (it is disposed with it). */
  attach(dependent: Tensor): void {
    (this.attachments ??= []).push(dependent);
  }

  /** Returns the memory to the heap (views free nothing). Disposing twice is harmless. */
  dispose(): void {
    if (this.start < 0) return;
    this.takePendingZeros();
    if (this.block >= 0) { requireHeap().free(this.block); countTensorBlock(-1); }
    if (this.grad !== null && this.grad.block >= 0) this.grad.dispose();
    if (this.attachments !== null) for (const t of this.attachments) t.dispose();
    this.attachments = null;
    this.start = -1;
    this.block = -1;
    this.gradFn = null;
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)}`;
  }
}


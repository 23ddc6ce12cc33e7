import fc from 'fast-check';
import { Sequential, Linear, Adam } from '../../src/index.js';
import { serialize, deserialize, restore, save, load, readCheckpoint, encodeSafetensors, decodeSafetensors } from '../../src/io/index.js';
import { toOnnx, saveOnnx } from '../../src/onnx.js';
import { JUNK, fuzz, notOptions, unknownKeyOptions, using, type FuzzCase } from './case.js';

// Invalid calls to the checkpoint functions (format: README.md in this folder). Each must throw,
// or reject with, a DescentError subclass (never a raw TypeError, ENOENT or EISDIR), and keep no
// heap block: what a call needs is built inside it and freed.

/** Runs `use` with a small model and Adam over it, disposing both whatever happens. */
function withModel<T>(use: (model: Sequential, optimizer: Adam) => T): T {
  return using(() => new Sequential([new Linear(3, 2)]), (model) => using(() => new Adam(model.parameters()), (optimizer) => use(model, optimizer)));
}

/**
 * Whether a sample shape fits withModel's Linear(3, 2), which takes [batch, …, 3] as torch's does:
 * positive sizes ending in 3 ([3], [4, 3, 3], …) are valid inputShapes, not invalid ones.
 */
function fitsLinear3(shape: number[]): boolean {
  return shape.length > 0 && shape.every((d) => d > 0) && shape[shape.length - 1] === 3;
}

/** Not a Module, a Uint8Array, a checkpoint content or a state dict. */
const junk = fc.constantFrom(...JUNK, undefined, 0, [1, 2]);
const PART_KEYS = ['model', 'optimizer', 'scheduler', 'epoch', 'extra'];

export const ioCases: FuzzCase[] = [
  fuzz('serialize(not parts)', fc.oneof(junk, notOptions), (parts) => serialize(parts as never)),
  fuzz('serialize({ model: not a Module })', junk, (model) => serialize({ model: model as never })),
  fuzz('serialize({ model, unknown key })', unknownKeyOptions(PART_KEYS, ['extr', 'optim', 'step']), (extra) => withModel((model) => serialize({ model, ...extra } as never))),
  fuzz('serialize({ model, optimizer: not stateful })', junk.filter((v) => v != null), (optimizer) => withModel((model) => serialize({ model, optimizer: optimizer as never }))),
  fuzz('serialize({ model, epoch: not a non-negative integer })', fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constantFrom(...JUNK)), (epoch) => withModel((model) => serialize({ model, epoch: epoch as never }))),
  fuzz('serialize({ model, extra: not an object })', fc.oneof(fc.string(), fc.double(), fc.constantFrom(null, [1], new Float32Array(2))), (extra) => withModel((model) => serialize({ model, extra: extra as never }))),
  { name: 'serialize({ model, extra: a BigInt inside })', call: () => withModel((model) => serialize({ model, extra: { n: 1n } })) },
  fuzz('deserialize(not bytes)', junk.filter((v) => !(v instanceof Uint8Array)), (bytes) => deserialize(bytes as never)),
  fuzz('deserialize(random bytes)', fc.uint8Array({ maxLength: 200 }), (bytes) => deserialize(bytes)),
  { name: 'deserialize(descent.* metadata without descent.format)', call: () => deserialize(encodeSafetensors({ a: { shape: [1], data: new Float32Array(1) } }, { 'descent.state': '{}' })) },
  fuzz('decodeSafetensors(not bytes)', junk.filter((v) => !(v instanceof Uint8Array)), (bytes) => decodeSafetensors(bytes as never)),
  { name: 'decodeSafetensors(header length 2^63)', call: () => decodeSafetensors(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80, 0x7b, 0x7d)) },
  fuzz('restore(not content, { model })', junk, (content) => withModel((model) => restore(content as never, { model }))),
  fuzz('restore(content, not parts)', fc.oneof(junk, notOptions), (parts) => withModel((model) => restore(deserialize(serialize({ model })), parts as never))),
  { name: 'restore(content, { model, optimizer: 5 })', call: () => withModel((model) => restore(deserialize(serialize({ model })), { model, optimizer: 5 as never })) },
  { name: 'restore(model-only content, { model, optimizer })', call: () => withModel((model, optimizer) => restore(deserialize(serialize({ model })), { model, optimizer })) },
  fuzz('model.loadStateDict(not a dict)', junk.filter((v) => !(v instanceof Float32Array || v instanceof Uint8Array || v instanceof Map || v instanceof Date)), (dict) => withModel((model) => model.loadStateDict(dict as never))),
  fuzz('model.loadStateDict({ entries not { shape, data } })', junk, (entry) => withModel((model) => model.loadStateDict({ '0.weight': entry, '0.bias': entry } as never))),
  fuzz('model.loadStateDict(its dict, options not { strict })', fc.oneof(notOptions, unknownKeyOptions(['strict'])), (options) => withModel((model) => model.loadStateDict(model.stateDict(), options as never))),
  fuzz('save(not a path, { model })', fc.constantFrom(null, undefined, '', 5, {}, ['a']), (path) => withModel((model) => save(path as never, { model }))),
  fuzz('load(not a path, { model })', fc.constantFrom(null, undefined, '', 5, {}, ['a']), (path) => withModel((model) => load(path as never, { model }))),
  { name: 'readCheckpoint(a missing file)', call: () => readCheckpoint('/no/such/folder/x.safetensors') },
  { name: 'save(a path in a missing folder)', call: () => withModel((model) => save('/no/such/folder/x.safetensors', { model })) },
  { name: 'load(a folder)', call: () => withModel((model) => load('.', { model })) },
  fuzz('toOnnx(not a Module, { inputShape })', junk, (model) => toOnnx(model as never, { inputShape: [3] })),
  fuzz('toOnnx(model, not options)', fc.oneof(junk, notOptions, unknownKeyOptions(['inputShape', 'opsetVersion'])), (options) => withModel((model) => toOnnx(model, options as never))),
  fuzz('toOnnx(model, { inputShape: not a sample shape that fits })', fc.oneof(junk, fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }).filter((s) => !fitsLinear3(s))), (inputShape) => withModel((model) => toOnnx(model, { inputShape: inputShape as never }))),
  fuzz('saveOnnx(not a path, model, { inputShape })', fc.constantFrom(null, undefined, '', 5, {}, ['a']), (path) => withModel((model) => saveOnnx(path as never, model, { inputShape: [3] }))),
];

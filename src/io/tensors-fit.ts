import { formatShape } from '../core/errors.js';
import { sameShape } from '../core/shape.js';
import type { Module } from '../nn/module.js';
import { CheckpointError, type NamedTensor } from './safetensors.js';

// Whether a file's tensors are exactly the model's state: the same names, shapes and dtypes (F32,
// and I64 for torch's num_batches_tracked). Checked before anything is loaded, and reported all at
// once, each problem naming its tensor — a file written by PyTorch for a slightly different model
// (a layer more, a width changed, a buffer saved as float) is fixed in one round, not one per load.

const dtypeName = (dtype: NamedTensor['dtype']): string => (dtype === 'int64' ? 'I64' : 'F32');

/** Throws a CheckpointError naming every missing, unexpected or mismatched tensor. */
export function checkTensorsFit(owner: string, model: Module, tensors: Record<string, NamedTensor>): void {
  const expected = new Map<string, { shape: readonly number[]; dtype: NamedTensor['dtype'] }>();
  for (const [name, p] of model.namedParameters()) expected.set(name, { shape: p.shape, dtype: undefined });
  for (const [name, t, dtype] of model.namedBuffers()) expected.set(name, { shape: t.shape, dtype });
  const missing = [...expected.keys()].filter((name) => !(name in tensors));
  const unexpected = Object.keys(tensors).filter((name) => !expected.has(name));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing keys ${missing.join(', ')}`);
  if (unexpected.length > 0) problems.push(`unexpected keys ${unexpected.join(', ')}`);
  for (const [name, want] of expected) {
    const got = tensors[name];
    if (got === undefined) continue;
    if (!sameShape(got.shape, want.shape)) problems.push(`${name} has shape ${formatShape(got.shape)}, the model expects ${formatShape(want.shape)}`);
    if (got.dtype !== want.dtype) problems.push(`${name} is ${dtypeName(got.dtype)}, the model expects ${dtypeName(want.dtype)}`);
  }
  if (problems.length > 0) throw new CheckpointError(`${owner}: the file's tensors do not fit the model: ${problems.join('; ')}`);
}

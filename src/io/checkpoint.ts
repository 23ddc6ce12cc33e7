import { globalRandom } from '../core/rng.js';
import type { Module, StateDict } from '../nn/module.js';
import { CheckpointError, dataSection, decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
import { crc32 } from './crc32.js';

// A checkpoint is one .safetensors file: the model's parameters as tensors named by torch's
// state_dict keys (so PyTorch loads it with load_state_dict(safetensors.torch.load_file(p))), and
// everything else — optimizer and scheduler state, the RNG, the epoch — as JSON in the metadata,
// with float32 arrays stored exactly as base64. A CRC-32 of the tensor bytes and of that JSON
// detects a file changed after writing. Loading validates the whole file, and the whole state,
// before anything is changed; a failure leaves the model, optimizer and scheduler as they were.

export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface CheckpointParts {
  model: Module;
  optimizer?: Stateful | null;
  scheduler?: Stateful | null;
  /** Epochs completed. */
  epoch?: number;
  /** Any JSON-safe extra state (a data loader's generator, a history…). */
  extra?: Record<string, unknown>;
}

export interface CheckpointContent {
  tensors: Record<string, NamedTensor>;
  optimizer: unknown;
  scheduler: unknown;
  rng: number[] | null;
  epoch: number | null;
  extra: Record<string, unknown>;
}

const FORMAT = 'descent-checkpoint/1';

/** The checkpoint as bytes (what `save` writes; use it directly in the browser). */
export function serialize(parts: CheckpointParts): Uint8Array {
  const tensors = parts.model.stateDict();
  const state = JSON.stringify({
    optimizer: parts.optimizer ? parts.optimizer.stateDict() : null,
    scheduler: parts.scheduler ? parts.scheduler.stateDict() : null,
    rng: globalRandom.getState(),
    epoch: parts.epoch ?? null,
    extra: parts.extra ?? {},
  }, encodeFloatArrays);
  const checksum = crc32(concat(dataSection(tensors), new TextEncoder().encode(state)));
  return encodeSafetensors(tensors, {
    format: 'pt',
    'descent.format': FORMAT,
    'descent.state': state,
    'descent.crc32': checksum.toString(16),
  });
}

/** Parses and validates checkpoint bytes without touching any model. */
export function deserialize(bytes: Uint8Array): CheckpointContent {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata['descent.format'] !== FORMAT) {
    throw new CheckpointError(`not a Descent checkpoint (metadata descent.format is ${JSON.stringify(metadata['descent.format'] ?? null)}, expected "${FORMAT}")`);
  }
  const state = metadata['descent.state'];
  if (typeof state !== 'string') throw new CheckpointError('the checkpoint has no descent.state metadata');
  const checksum = crc32(concat(dataSection(tensors), new TextEncoder().encode(state))).toString(16);
  if (checksum !== metadata['descent.crc32']) {
    throw new CheckpointError(`the checkpoint's checksum does not match (stored ${metadata['descent.crc32'] ?? 'none'}, computed ${checksum}): the file was changed or damaged`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(state, decodeFloatArrays);
  } catch (e) {
    throw new CheckpointError(`the checkpoint's state is not valid JSON: ${(e as Error).message}`);
  }
  for (const [name, t] of Object.entries(tensors)) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new CheckpointError(`tensor ${name}[${i}] is ${t.data[i]}: a checkpoint holds finite weights only`);
    }
  }
  return {
    tensors,
    optimizer: parsed.optimizer ?? null,
    scheduler: parsed.scheduler ?? null,
    rng: Array.isArray(parsed.rng) ? (parsed.rng as number[]) : null,
    epoch: typeof parsed.epoch === 'number' ? parsed.epoch : null,
    extra: (parsed.extra as Record<string, unknown>) ?? {},
  };
}

/**
 * Loads a validated checkpoint into the given parts. Everything is applied or nothing: if the
 * optimizer or scheduler rejects its state, the model (and the others) are restored.
 */
export function restore(content: CheckpointContent, parts: Omit<CheckpointParts, 'epoch' | 'extra'>): void {
  const { model, optimizer, scheduler } = parts;
  if (optimizer && content.optimizer === null) throw new CheckpointError('the checkpoint holds no optimizer state, but an optimizer was given to load into');
  if (scheduler && content.scheduler === null) throw new CheckpointError('the checkpoint holds no scheduler state, but a scheduler was given to load into');
  const before = { model: model.stateDict(), optimizer: optimizer?.stateDict(), scheduler: scheduler?.stateDict(), rng: globalRandom.getState() };
  try {
    model.loadStateDict(content.tensors as StateDict);
    optimizer?.loadStateDict(content.optimizer as never);
    scheduler?.loadStateDict(content.scheduler as never);
    if (content.rng) globalRandom.setState(content.rng);
  } catch (error) {
    model.loadStateDict(before.model);
    if (optimizer) optimizer.loadStateDict(before.optimizer as never);
    if (scheduler) scheduler.loadStateDict(before.scheduler as never);
    globalRandom.setState(before.rng);
    throw error instanceof CheckpointError ? error : new CheckpointError(`the checkpoint does not fit: ${(error as Error).message}`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// Float32Arrays travel as { $f32: base64 of their little-endian bytes } — exact and compact.
function encodeFloatArrays(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) {
    const bytes = new Uint8Array(value.length * 4);
    const dv = new DataView(bytes.buffer);
    value.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return { $f32: btoa(s) };
  }
  return value;
}

function decodeFloatArrays(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { $f32?: unknown }).$f32 === 'string') {
    const s = atob((value as { $f32: string }).$f32);
    if (s.length % 4 !== 0) throw new CheckpointError('a float32 array in the checkpoint state has a length that is not a multiple of 4 bytes');
    const dv = new DataView(new ArrayBuffer(s.length));
    for (let i = 0; i < s.length; i++) dv.setUint8(i, s.charCodeAt(i));
    return Float32Array.from({ length: s.length / 4 }, (_, i) => dv.getFloat32(i * 4, true));
  }
  return value;
}

import { STATE_DESCRIPTION, globalRandom, isState } from '../core/rng.js';
import { OptionError } from '../core/errors.js';
import { NON_NEGATIVE_INT, OPTIONS, checkOptions, checkValue, instanceOf, render, required, type Rule } from '../core/validate.js';
import { Module, type StateDict } from '../nn/module.js';
import { BINARY_STATE_DICT, type BinaryStateDict } from '../optim/state-dict.js';
import { CheckpointError, decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
import { OPTIMIZER_PREFIX, extractOptimizerTensors, insertOptimizerTensors } from './optimizer-tensors.js';
import { CHECKSUM_PLACEHOLDER, sealChecksum, verifyChecksum } from './checksum.js';
import { checkTensorsFit } from './tensors-fit.js';

// A checkpoint is one .safetensors file. Its tensors are the model's parameters, named by torch's
// state_dict keys, then the optimizer's state tensors under `optimizer/…` (optimizer-tensors.ts);
// everything else — the optimizer's options and step counts, the scheduler, the RNG, the epoch,
// any extra state — is a small JSON document in the metadata. A CRC-32 of the whole file (names,
// shapes, offsets, JSON and data; checksum.ts) detects a file changed after writing. Loading
// validates the whole file, and the whole state, before anything is changed; a failure leaves the
// model, optimizer and scheduler as they were.
//
// A safetensors file without Descent's metadata is read as a plain state dict (weights only), as
// PyTorch writes with `safetensors.torch.save_file(model.state_dict(), path)`: restoring it checks
// every name, shape and dtype against the model first (tensors-fit.ts).
//
// PyTorch reads the weights of a checkpoint saved without an optimizer with
// `model.load_state_dict(load_file(p), strict=True)`; with one, after dropping the `optimizer/`
// keys (see optimizer-tensors.ts). `descent train` also writes model.safetensors, weights only.

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
  /** The model's tensors (the optimizer's are inside `optimizer`). */
  tensors: Record<string, NamedTensor>;
  /** The optimizer's state dict, its tensors as Float32Arrays; null if none was saved. */
  optimizer: unknown;
  /** The class of the optimizer that was saved (`Adam`), if it was one of Descent's. */
  optimizerName: string | null;
  scheduler: unknown;
  rng: number[] | null;
  epoch: number | null;
  extra: Record<string, unknown>;
}

const FORMAT = 'descent-checkpoint/2';
/**
 * The first format kept the optimizer state as base64 JSON in the header. It is refused rather
 * than read: its files were small runs of a pre-release (0.1) whose weights still load through
 * decodeSafetensors + loadStateDict, and a second reader would be a second format to keep safe.
 */
const FORMAT_1 = 'descent-checkpoint/1';

const STATEFUL: Rule = { type: 'object', description: 'an object with stateDict() and loadStateDict(), or null' };
const PART_RULES = {
  model: required(instanceOf(Module, 'Module')), optimizer: STATEFUL, scheduler: STATEFUL, epoch: NON_NEGATIVE_INT,
  extra: { ...OPTIONS, description: 'a JSON-safe object' },
};

/** The checkpoint as bytes (what `save` writes; use it directly in the browser). */
export function serialize(parts: CheckpointParts): Uint8Array {
  const { model, optimizer, scheduler, epoch, extra } = checkParts('serialize', parts);
  const tensors: Record<string, NamedTensor> = model.stateDict();
  const clash = Object.keys(tensors).find((name) => name.startsWith(OPTIMIZER_PREFIX));
  if (clash !== undefined) throw new CheckpointError(`serialize: the model's key ${clash} starts with ${OPTIMIZER_PREFIX}, which checkpoints reserve for the optimizer's state`);
  let state: string;
  try {
    state = JSON.stringify({
      optimizer: optimizer ? optimizerJson(optimizer, tensors) : null,
      scheduler: scheduler ? scheduler.stateDict() : null,
      rng: globalRandom.getState(),
      epoch: epoch ?? null,
      extra: extra ?? {},
    });
  } catch (error) {
    throw new CheckpointError(`serialize: the state is not JSON-safe (extra, or a stateDict()): ${(error as Error).message}`);
  }
  return sealChecksum(encodeSafetensors(tensors, { format: 'pt', 'descent.format': FORMAT, 'descent.state': state, ...CHECKSUM_PLACEHOLDER }));
}

/** Parses and validates checkpoint bytes without touching any model. */
export function deserialize(bytes: Uint8Array): CheckpointContent {
  checkValue('deserialize', 'bytes', bytes, required(instanceOf(Uint8Array, 'Uint8Array')));
  const { tensors, metadata } = decodeSafetensors(bytes);
  const format = metadata['descent.format'];
  if (format === FORMAT_1) {
    throw new CheckpointError(`this checkpoint is in the first format (${FORMAT_1}), which this version no longer reads; its weights load with model.loadStateDict(decodeSafetensors(bytes).tensors)`);
  }
  // No descent.format at all: a plain state dict, as safetensors.torch.save_file writes one.
  if (format === undefined && !Object.keys(metadata).some((key) => key.startsWith('descent.'))) return { ...WEIGHTS_ONLY, tensors: finiteModelTensors(tensors) };
  if (format !== FORMAT) {
    throw new CheckpointError(`not a Descent checkpoint (metadata descent.format is ${JSON.stringify(format ?? null)}, expected "${FORMAT}")`);
  }
  verifyChecksum(bytes, metadata);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(metadata['descent.state'] ?? '');
  } catch (e) {
    throw new CheckpointError(`the checkpoint's descent.state is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CheckpointError('the checkpoint\'s descent.state is not a JSON object');
  const { optimizer, scheduler = null, rng = null, epoch = null, extra = {} } = parsed as Record<string, unknown>;
  if (Array.isArray(rng) && rng.length === 4) {
    throw new CheckpointError(
      "the checkpoint's RNG state is four words, the xoshiro128** generator Descent had before it drew torch's MT19937 stream; " +
        'this version cannot continue that stream, so the run cannot be resumed; its weights load with model.loadStateDict(decodeSafetensors(bytes).tensors)',
    );
  }
  if (rng !== null && !isState(rng)) {
    throw new CheckpointError(`the checkpoint's RNG state must be ${STATE_DESCRIPTION}, got ${render(rng)}`);
  }
  if (epoch !== null && !(Number.isInteger(epoch) && (epoch as number) >= 0)) throw new CheckpointError(`the checkpoint's epoch must be a non-negative integer, got ${render(epoch)}`);
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) throw new CheckpointError(`the checkpoint's extra state must be an object, got ${render(extra)}`);
  const model = finiteModelTensors(Object.fromEntries(Object.entries(tensors).filter(([name]) => !name.startsWith(OPTIMIZER_PREFIX))));
  const saved = (optimizer ?? null) as { name?: unknown; json?: unknown } | null;
  if (saved !== null && (typeof saved !== 'object' || Array.isArray(saved))) throw new CheckpointError(`the checkpoint's optimizer state must be an object, got ${render(saved)}`);
  // Without a Descent optimizer's state, the file must hold no optimizer tensors either.
  const dict = insertOptimizerTensors(saved === null || 'json' in saved ? { state: {}, paramGroups: [] } : saved, tensors);
  return {
    tensors: model,
    optimizer: saved === null ? null : 'json' in saved ? saved.json : dict,
    optimizerName: typeof saved?.name === 'string' ? saved.name : null,
    scheduler,
    rng: rng as number[] | null,
    epoch: epoch as number | null,
    extra: extra as Record<string, unknown>,
  };
}

/** What a plain state dict (weights only, no Descent metadata) holds besides its tensors. */
const WEIGHTS_ONLY = { optimizer: null, optimizerName: null, scheduler: null, rng: null, epoch: null, extra: {} } as const;

function finiteModelTensors(tensors: Record<string, NamedTensor>): Record<string, NamedTensor> {
  for (const [name, t] of Object.entries(tensors)) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new CheckpointError(`tensor ${name}[${i}] is ${t.data[i]}: a checkpoint holds finite weights only`);
    }
  }
  return tensors;
}

/**
 * Loads a validated checkpoint into the given parts. Everything is applied or nothing: if the
 * optimizer or scheduler rejects its state, the model (and the others) are restored.
 */
export function restore(content: CheckpointContent, parts: Omit<CheckpointParts, 'epoch' | 'extra'>, owner = 'restore'): void {
  if (content === null || typeof content !== 'object' || content.tensors === null || typeof content.tensors !== 'object' || !('optimizer' in content) || !('rng' in content)) {
    throw new CheckpointError(`restore: content must be what deserialize() or readCheckpoint() returns, got ${render(content)}`);
  }
  const { model, optimizer, scheduler } = checkParts(owner, parts, ['epoch', 'extra']);
  checkTensorsFit(owner, model, content.tensors);
  if (optimizer && content.optimizer === null) throw new CheckpointError(`${owner}: the checkpoint holds no optimizer state, but an optimizer was given to load into`);
  if (scheduler && content.scheduler === null) throw new CheckpointError(`${owner}: the checkpoint holds no scheduler state, but a scheduler was given to load into`);
  const current = optimizer ? binaryState(optimizer) : undefined;
  if (content.optimizerName !== null && current !== undefined && current.optimizer !== content.optimizerName) {
    throw new CheckpointError(`${owner}: the checkpoint holds the state of ${content.optimizerName}, but the optimizer given is ${current.optimizer}`);
  }
  const before = {
    model: model.stateDict(), optimizer: current?.dict ?? optimizer?.stateDict(), scheduler: scheduler?.stateDict(), rng: globalRandom.getState(),
  };
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
    throw error instanceof CheckpointError ? error : new CheckpointError(`${owner}: the checkpoint does not fit: ${(error as Error).message}`);
  }
}

/** The parts, checked: a Module, and stateful objects (or nothing) for the optimizer and scheduler. */
function checkParts(owner: string, parts: unknown, without: string[] = []): CheckpointParts {
  const rules = Object.fromEntries(Object.entries(PART_RULES).filter(([k]) => !without.includes(k)));
  if (parts === null || typeof parts !== 'object' || Array.isArray(parts) || ArrayBuffer.isView(parts)) throw new OptionError(`${owner}: parts must be an object like { ${Object.keys(rules).join(', ')} }, got ${render(parts)}`);
  const { optimizer, scheduler, ...rest } = parts as Record<string, unknown>;
  checkOptions(owner, rest, rules, 'parts');
  for (const [key, value] of [['optimizer', optimizer], ['scheduler', scheduler]] as const) {
    if (value == null) continue;
    const s = value as Partial<Stateful>;
    if (typeof s.stateDict !== 'function' || typeof s.loadStateDict !== 'function') {
      throw new OptionError(`${owner}: ${key} must be ${STATEFUL.description}, got ${render(value)}`);
    }
  }
  return parts as CheckpointParts;
}

function binaryState(optimizer: Stateful): BinaryStateDict | undefined {
  const method = (optimizer as { [BINARY_STATE_DICT]?: () => BinaryStateDict })[BINARY_STATE_DICT];
  return typeof method === 'function' ? method.call(optimizer) : undefined;
}

/** A Descent optimizer's state with its tensors moved into `tensors`; any other state as JSON. */
function optimizerJson(optimizer: Stateful, tensors: Record<string, NamedTensor>): unknown {
  const binary = binaryState(optimizer);
  if (binary === undefined) return { json: optimizer.stateDict() };
  return { name: binary.optimizer, ...extractOptimizerTensors(binary.dict as never, tensors) };
}

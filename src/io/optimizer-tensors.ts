import type { NamedTensor } from './safetensors.js';
import { CheckpointError } from './safetensors.js';

// An optimizer's state tensors travel in a checkpoint as float32 tensors of the safetensors file
// (exact, 4 bytes an element), not as numbers in its JSON header: Adam's two moments of a 2.7 M
// parameter model were 119 MB of decimal JSON, over the format's 100 MiB header limit. The JSON
// keeps the rest of the dict (options, step counts) with a reference `{ "$tensor": name }` where
// each tensor was.
//
// Names: `optimizer/state/<parameter id>/<kind>`, e.g. `optimizer/state/0/expAvg`. A model's keys
// are torch state_dict keys (dotted attribute names); a model key starting with `optimizer/` is
// refused when saving, so the two can never clash, and PyTorch loads the weights of a full
// checkpoint with the one-line filter `{k: v for k, v in load_file(p).items() if not
// k.startswith("optimizer/")}`.

export const OPTIMIZER_PREFIX = 'optimizer/';

/** A reference in the JSON to a tensor of the file. */
interface TensorRef {
  $tensor: string;
}

interface SavedTensorLike {
  shape: number[];
  data: ArrayLike<number>;
}

/** The dict of `optimizer.stateDict()` shape: options by group, and state tensors by parameter id. */
interface DictLike {
  state: Record<string, Record<string, unknown>>;
  paramGroups: unknown[];
}

/** Moves the dict's state tensors into `tensors`; returns the dict with references in their place. */
export function extractOptimizerTensors(dict: DictLike, tensors: Record<string, NamedTensor>): DictLike {
  const state: DictLike['state'] = {};
  for (const [id, entry] of Object.entries(dict.state)) {
    const out: Record<string, unknown> = {};
    for (const [kind, value] of Object.entries(entry)) {
      if (value !== null && typeof value === 'object') {
        const t = value as SavedTensorLike;
        const name = `${OPTIMIZER_PREFIX}state/${id}/${kind}`;
        tensors[name] = { shape: [...t.shape], data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) };
        out[kind] = { $tensor: name } satisfies TensorRef;
      } else {
        out[kind] = value;
      }
    }
    state[id] = out;
  }
  return { state, paramGroups: dict.paramGroups };
}

/**
 * Puts the file's optimizer tensors back into the saved dict. Every reference must name a tensor
 * of the file, and every optimizer tensor of the file must be referenced exactly once.
 */
export function insertOptimizerTensors(saved: unknown, tensors: Record<string, NamedTensor>): DictLike {
  if (saved === null || typeof saved !== 'object' || typeof (saved as DictLike).state !== 'object' || (saved as DictLike).state === null) {
    throw new CheckpointError(`the checkpoint's optimizer state must be { state, paramGroups }, got ${JSON.stringify(saved)?.slice(0, 80)}`);
  }
  const used = new Set<string>();
  const state: DictLike['state'] = {};
  for (const [id, entry] of Object.entries((saved as DictLike).state)) {
    if (entry === null || typeof entry !== 'object') throw new CheckpointError(`the checkpoint's optimizer state of parameter ${id} is not an object`);
    const out: Record<string, unknown> = {};
    for (const [kind, value] of Object.entries(entry)) {
      if (value === null || typeof value !== 'object') {
        out[kind] = value;
        continue;
      }
      const name = (value as Partial<TensorRef>).$tensor;
      if (typeof name !== 'string' || !(name in tensors) || !name.startsWith(OPTIMIZER_PREFIX) || used.has(name)) {
        throw new CheckpointError(`the checkpoint's optimizer state ${id}.${kind} refers to ${JSON.stringify(name)}, which is not an unused optimizer tensor of the file`);
      }
      used.add(name);
      out[kind] = { shape: tensors[name].shape, data: tensors[name].data };
    }
    state[id] = out;
  }
  const unused = Object.keys(tensors).filter((name) => name.startsWith(OPTIMIZER_PREFIX) && !used.has(name));
  if (unused.length > 0) throw new CheckpointError(`the checkpoint holds optimizer tensors that its state does not mention: ${unused.slice(0, 5).join(', ')}`);
  return { state, paramGroups: (saved as DictLike).paramGroups };
}

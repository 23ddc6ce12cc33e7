import { Sequential, Linear, Adam } from '../../src/index.js';
import { serialize, deserialize, restore, encodeSafetensors, decodeSafetensors } from '../../src/io/index.js';

// Invalid calls to the checkpoint functions, for the fuzz runner: each must throw a DescentError
// subclass (never a raw TypeError), never hang, and keep no heap block. A case builds what it
// needs inside `call` and frees it, so the runner's memory() before and after compare.
//
// Format (until the runner fixes its own): an exported array of { name, call }.

export interface FuzzCase {
  name: string;
  call: () => unknown;
}

/** Runs `use` with a small model (and Adam over it), disposing both whatever happens. */
function withModel<T>(use: (model: Sequential, optimizer: Adam) => T): T {
  const model = new Sequential([new Linear(3, 2)]);
  const optimizer = new Adam(model.parameters());
  try {
    return use(model, optimizer);
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

const BAD_VALUES: [string, unknown][] = [
  ['null', null], ['undefined', undefined], ['a string', 'abc'], ['a number', 0], ['an array', [1, 2]], ['an empty object', {}],
  ['a Float32Array', new Float32Array(4)],
];

export const ioCases: FuzzCase[] = [
  ...BAD_VALUES.map(([what, v]): FuzzCase => ({ name: `serialize(${what})`, call: () => serialize(v as never) })),
  ...BAD_VALUES.map(([what, v]): FuzzCase => ({ name: `serialize({ model: ${what} })`, call: () => serialize({ model: v as never }) })),
  ...BAD_VALUES.map(([what, v]): FuzzCase => ({ name: `deserialize(${what})`, call: () => deserialize(v as never) })),
  ...BAD_VALUES.map(([what, v]): FuzzCase => ({ name: `restore(${what}, { model })`, call: () => withModel((model) => restore(v as never, { model })) })),
  ...BAD_VALUES.map(([what, v]): FuzzCase => ({ name: `decodeSafetensors(${what})`, call: () => decodeSafetensors(v as never) })),
  ...BAD_VALUES.map(([what, v]): FuzzCase => ({ name: `model.loadStateDict(${what})`, call: () => withModel((model) => model.loadStateDict(v as never)) })),
  ...BAD_VALUES.filter(([, v]) => v != null).map(([what, v]): FuzzCase => ({
    name: `serialize({ model, optimizer: ${what} })`, call: () => withModel((model) => serialize({ model, optimizer: v as never })),
  })),
  { name: 'serialize({ model, epoch: -1 })', call: () => withModel((model) => serialize({ model, epoch: -1 })) },
  { name: 'serialize({ model, epoch: 1.5 })', call: () => withModel((model) => serialize({ model, epoch: 1.5 })) },
  { name: 'serialize({ model, extra: 3 })', call: () => withModel((model) => serialize({ model, extra: 3 as never })) },
  { name: 'serialize({ model, extr: {} }) (misspelt key)', call: () => withModel((model) => serialize({ model, extr: {} } as never)) },
  { name: 'serialize({ model, extra: a BigInt })', call: () => withModel((model) => serialize({ model, extra: { n: 1n } })) },
  { name: 'restore(content, { model, optimizer: 5 })', call: () => withModel((model) => restore(deserialize(serialize({ model })), { model, optimizer: 5 as never })) },
  { name: 'restore(model-only content, { model, optimizer })', call: () => withModel((model, optimizer) => restore(deserialize(serialize({ model })), { model, optimizer })) },
  { name: 'model.loadStateDict({ "0.weight": null, "0.bias": null })', call: () => withModel((model) => model.loadStateDict({ '0.weight': null, '0.bias': null } as never)) },
  { name: 'model.loadStateDict(its own dict, { strict: "yes" })', call: () => withModel((model) => model.loadStateDict(model.stateDict(), { strict: 'yes' as never })) },
  { name: 'decodeSafetensors(7 bytes)', call: () => decodeSafetensors(new Uint8Array(7)) },
  { name: 'decodeSafetensors(header length 2^63)', call: () => decodeSafetensors(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80, 0x7b, 0x7d)) },
  { name: 'deserialize(a plain safetensors file)', call: () => deserialize(encodeSafetensors({ a: { shape: [1], data: new Float32Array(1) } })) },
];

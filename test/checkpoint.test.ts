import { describe, it, expect, beforeAll } from 'vitest';
import { init, Sequential, Linear, ReLU, Tanh, Adam, MSELoss, tensor } from '../src/index.js';
import { serialize, deserialize, restore, CheckpointError, encodeSafetensors, decodeSafetensors } from '../src/io/index.js';
import { CHECKSUM_PLACEHOLDER, sealChecksum } from '../src/io/checksum.js';

/** An independent reading of the safetensors layout, written from the format's description. */
function parseIndependently(bytes: Uint8Array) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const base = 8 + n;
  const tensors: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [name, e] of Object.entries<{ dtype: string; shape: number[]; data_offsets: [number, number] }>(header)) {
    if (name === '__metadata__') continue;
    expect(e.dtype).toBe('F32');
    const dv = new DataView(bytes.buffer, bytes.byteOffset + base + e.data_offsets[0], e.data_offsets[1] - e.data_offsets[0]);
    tensors[name] = { shape: e.shape, values: Array.from({ length: dv.byteLength / 4 }, (_, i) => dv.getFloat32(i * 4, true)) };
  }
  return { header, tensors, headerLength: n };
}

const makeModel = (seed: number) => new Sequential([new Linear(6, 8), new ReLU(), new Linear(8, 5), new Tanh(), new Linear(5, 3)], { seed });

describe('checkpoints (safetensors with torch state_dict names)', () => {
  beforeAll(() => init());

  it('writes torch-named float32 tensors that an independent parser reads back exactly', () => {
    const model = makeModel(1);
    const bytes = serialize({ model, epoch: 3, extra: { note: 'hi' } });
    const { header, tensors, headerLength } = parseIndependently(bytes);
    expect((8 + headerLength) % 8).toBe(0); // data 8-byte aligned
    expect(Object.keys(tensors)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    for (const [name, p] of model.namedParameters()) {
      expect(tensors[name].shape).toEqual([...p.shape]);
      expect(tensors[name].values).toEqual(Array.from(p.toArray()));
    }
    expect(header.__metadata__.format).toBe('pt');
    const content = deserialize(bytes);
    expect(content.epoch).toBe(3);
    expect(content.extra).toEqual({ note: 'hi' });
    model.dispose();
  });

  it('round-trips into a fresh model bit for bit', () => {
    const a = makeModel(1), b = makeModel(2);
    restore(deserialize(serialize({ model: a })), { model: b });
    expect(Array.from(b.parameterBlock.toArray())).toEqual(Array.from(a.parameterBlock.toArray()));
    a.dispose(); b.dispose();
  });

  it('rejects truncated and tampered files, changing nothing', () => {
    const a = makeModel(1), b = makeModel(2);
    const before = b.parameterBlock.toArray();
    const bytes = serialize({ model: a });
    for (const cut of [0, 5, 8, 40, bytes.length - 1]) {
      expect(() => deserialize(bytes.subarray(0, cut)), `truncated at ${cut}`).toThrow(CheckpointError);
    }
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 0x40; // one weight's bits
    expect(() => deserialize(flipped)).toThrow(/checksum does not match/);
    const badHeader = bytes.slice();
    badHeader[12] = 0x7b; // corrupt the JSON
    expect(() => deserialize(badHeader)).toThrow(CheckpointError);
    // A checkpoint of another architecture is rejected by name/shape before any weight moves.
    const other = new Sequential([new Linear(6, 4), new ReLU(), new Linear(4, 3)], { seed: 3 });
    expect(() => restore(deserialize(serialize({ model: other })), { model: b })).toThrow(/missing keys 4.weight, 4.bias|has shape/);
    expect(Array.from(b.parameterBlock.toArray())).toEqual(Array.from(before));
    a.dispose(); b.dispose(); other.dispose();
  });

  it('saves the generator\'s whole state (torch\'s MT19937: 624 words, position, kept normal) and refuses a former or broken one by name', () => {
    const model = makeModel(1);
    const bytes = serialize({ model });
    const { tensors, metadata } = decodeSafetensors(bytes);
    const state = JSON.parse(metadata['descent.state']);
    expect(state.rng).toHaveLength(628);
    // Rewrite the RNG state and seal the file again, as a file written that way would be.
    const withRng = (rng: unknown) => sealChecksum(encodeSafetensors(tensors, { ...metadata, 'descent.state': JSON.stringify({ ...state, rng }), ...CHECKSUM_PLACEHOLDER }));
    expect(deserialize(withRng(state.rng)).rng).toEqual(state.rng);
    expect(() => deserialize(withRng([1, 2, 3, 4]))).toThrow(/RNG state is four words, the xoshiro128\*\* generator Descent had before it drew torch's MT19937 stream; .*model\.loadStateDict/);
    expect(() => deserialize(withRng(state.rng.slice(0, 625)))).toThrow(/RNG state must be 628 integers \(624 32-bit words, not all zero, a position in \[0, 624\]/);
    expect(() => deserialize(withRng([...state.rng.slice(0, 624), 700, 0, 0, 0]))).toThrow(CheckpointError);
    model.dispose();
  });

  it('save and load explain themselves where there are no files (the browser)', async () => {
    const { save, load } = await import('../src/io/index.js');
    const inBrowser = typeof process === 'undefined' || !process.versions?.node;
    if (!inBrowser) return; // Node has files: checkpoint-files.node.test.ts covers it
    const model = makeModel(1);
    await expect(save('x.safetensors', { model })).rejects.toThrow(/needs Node; in the browser use serialize/);
    await expect(load('x.safetensors', { model })).rejects.toThrow(CheckpointError);
    model.dispose();
  });

  it('the safetensors decoder rejects overlapping, out-of-range and non-F32 entries', () => {
    const good = encodeSafetensors({ a: { shape: [2], data: new Float32Array([1, 2]) }, b: { shape: [1], data: new Float32Array([3]) } });
    expect(decodeSafetensors(good).tensors.b.data[0]).toBe(3);
    const withHeader = (h: object, dataBytes: number) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    expect(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8))).toThrow(/overlap or hole/);
    expect(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8))).toThrow(/truncated/);
    expect(() => decodeSafetensors(withHeader({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4))).toThrow(/only F32/);
    expect(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8))).toThrow(/needs 12 bytes/);
  });

  it('a full checkpoint without its optimizer/ keys is exactly the model\'s state_dict (what PyTorch\'s strict load needs)', () => {
    const model = makeModel(1);
    const optimizer = new Adam(model.parameters(), { lr: 0.1 });
    optimizer.zeroGrad();
    new MSELoss().forward(model.forward(tensor(new Float32Array(12).fill(1), [2, 6])), tensor(new Float32Array(6), [2, 3])).backward();
    optimizer.step();
    const { tensors } = parseIndependently(serialize({ model, optimizer }));
    // PyTorch: {k: v for k, v in load_file(p).items() if not k.startswith("optimizer/")}
    const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('optimizer/')));
    expect(Object.keys(weights)).toEqual(model.namedParameters().map(([n]) => n));
    for (const [name, p] of model.namedParameters()) expect(weights[name].values).toEqual(Array.from(p.toArray()));
    // The moments are there, exact, one tensor per parameter and kind, shaped like the parameter.
    const state = optimizer.stateDict().state;
    expect(tensors['optimizer/state/0/expAvg'].shape).toEqual([8, 6]);
    expect(tensors['optimizer/state/5/expAvgSq'].values).toEqual((state['5'].expAvgSq as { data: number[] }).data);
    optimizer.dispose(); model.dispose();
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { init } from '../src/backend/init.js';
import { tensor } from '../src/ops/creation.js';
import { noGrad } from '../src/autograd/grad-mode.js';
import { Sequential, Linear, ReLU, Tanh, Conv2d, BatchNorm2d, BatchNorm1d, MaxPool2d, Flatten, Embedding, LSTM, Module } from '../src/nn/index.js';
import { narrow, squeeze } from '../src/index.js';
import type { Tensor } from '../src/core/tensor.js';
import { CheckpointError, decodeSafetensors, encodeSafetensors, load, serialize, type NamedTensor } from '../src/io/index.js';
import { importNodeBuiltin } from '../src/core/node-builtin.js';
import fixture from './fixtures/torch-models.json';

// Files PyTorch wrote (scripts/make-torch-safetensors.py: the state_dict of an MLP, of a CNN with
// BatchNorm2d/1d, of a sequence classifier with a 2-layer bidirectional LSTM and of a Sequential of
// named layers (torch's OrderedDict form), in the byte layout
// of safetensors.torch.save_file), loaded by `load` and run:
// the logits must be PyTorch's within 1e-5. In Node from a path and from bytes; in the page from
// the bytes a fetch returns.

const inNode = typeof process !== 'undefined' && !!process.versions?.node;
const url = (file: string) => new URL(`./fixtures/${file}`, import.meta.url);
const path = (file: string) => decodeURIComponent(url(file).pathname);
const files = new Map<string, Uint8Array>();
const bytesOf = (file: string) => files.get(file)!;

const mlp = () => new Sequential([new Linear(4, 16), new ReLU(), new Linear(16, 3)]);
const cnn = () => new Sequential([
  new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(),
  new Linear(4 * 3 * 3, 5), new BatchNorm1d(5), new Tanh(), new Linear(5, 3),
]);

/** torch's SequenceClassifier: Embedding → 2-layer bidirectional LSTM (batchFirst) → the last step → Linear; the same attribute names. */
class SequenceClassifier extends Module {
  readonly embed = new Embedding(10, 6);
  readonly lstm = new LSTM(6, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
  readonly head = new Linear(10, 3);

  forward(tokens: Tensor): Tensor {
    const out = this.lstm.forward(this.embed.forward(tokens));
    return this.head.forward(squeeze(narrow(out, 1, out.shape[1] - 1, 1), 1));
  }
}
const sequence = () => new SequenceClassifier();
/** torch's nn.Sequential(OrderedDict(fc1=…, act=…, fc2=…)): the state_dict says fc1.weight, not 0.weight. */
const named = () => new Sequential({ fc1: new Linear(4, 8), act: new Tanh(), fc2: new Linear(8, 3) });

function logits(model: Module, { input, inputShape }: { input: number[]; inputShape: number[] }): Float32Array {
  model.eval();
  return noGrad(() => model.forward(tensor(input, inputShape)).toArray());
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...expected.map((e, i) => Math.abs(actual[i] - e)));
  expect(worst).toBeLessThan(1e-5);
}

describe('load reads a safetensors state dict written by PyTorch', () => {
  beforeAll(async () => {
    await init();
    for (const { file } of [fixture.mlp, fixture.cnn, fixture.sequence, fixture.named]) {
      const buffer = inNode
        ? (await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises')).readFile(path(file))
        : fetch(url(file)).then((response) => response.arrayBuffer());
      files.set(file, new Uint8Array(await buffer));
    }
  });

  for (const [name, build] of [['mlp', mlp], ['cnn', cnn], ['sequence', sequence], ['named', named]] as const) {
    it(`${name}: from bytes, the logits are PyTorch's within 1e-5`, async () => {
      const spec = fixture[name];
      const fromBytes = build();
      const content = await load(bytesOf(spec.file), { model: fromBytes });
      expect(content.optimizer).toBeNull();
      expect(content.epoch).toBeNull();
      expectClose(logits(fromBytes, spec), spec.logits);
      // Untrained, the same model is far from PyTorch's logits: the load is what made them agree.
      const fresh = build();
      expect(Math.max(...spec.logits.map((e, i) => Math.abs(logits(fresh, spec)[i] - e)))).toBeGreaterThan(1e-2);
      fromBytes.dispose(); fresh.dispose();
    });

    it.skipIf(!inNode)(`${name}: from a path (Node), the logits are PyTorch's within 1e-5`, async () => {
      const spec = fixture[name];
      const model = build();
      await load(path(spec.file), { model });
      expectClose(logits(model, spec), spec.logits);
      model.dispose();
    });
  }

  it('keeps the int64 buffer: num_batches_tracked is I64 in the file and counts 3 batches', async () => {
    const model = cnn();
    await load(bytesOf(fixture.cnn.file), { model });
    expect(Array.from(model.stateDict()['1.num_batches_tracked'].data)).toEqual([3]);
    const { tensors } = decodeSafetensors(serialize({ model }));
    expect(tensors['1.num_batches_tracked'].dtype).toBe('int64');
    model.dispose();
  });

  it('refuses a file that does not fit, naming every tensor, and changes nothing', async () => {
    const { tensors } = decodeSafetensors(bytesOf(fixture.cnn.file));
    const edited = (edit: (t: Record<string, NamedTensor>) => void) => {
      const copy = { ...tensors };
      edit(copy);
      return encodeSafetensors(copy);
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['a tensor missing', edited((t) => delete t['5.bias']), /load: the file's tensors do not fit the model: missing keys 5\.bias$/],
      ['a tensor extra', edited((t) => { t['9.weight'] = { shape: [1], data: new Float32Array(1) }; }), /unexpected keys 9\.weight$/],
      ['a shape changed', edited((t) => { t['0.weight'] = { shape: [4, 9], data: new Float32Array(36) }; }), /0\.weight has shape \[4, 9\], the model expects \[4, 1, 3, 3\]$/],
      ['an int64 buffer saved as float', edited((t) => { t['6.num_batches_tracked'] = { shape: [], data: new Float32Array([3]) }; }), /6\.num_batches_tracked is F32, the model expects I64$/],
      ['a weight saved as int64', edited((t) => { t['8.bias'] = { ...t['8.bias'], data: new Float32Array(3), dtype: 'int64' }; }), /8\.bias is I64, the model expects F32$/],
      ['all at once', edited((t) => { delete t['5.bias']; t.extra = { shape: [], data: new Float32Array(1) }; }), /missing keys 5\.bias; unexpected keys extra$/],
    ];
    const model = cnn();
    const before = model.stateDict();
    for (const [what, bytes, message] of cases) {
      await expect(load(bytes, { model }), what).rejects.toThrow(message);
      await expect(load(bytes, { model }), what).rejects.toThrow(CheckpointError);
    }
    expect(model.stateDict()).toEqual(before);
    model.dispose();
  });

  it('refuses a float64 state dict naming the tensor, and an optimizer to load into', async () => {
    const text = '{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}';
    const f64 = new Uint8Array(8 + text.length + 8);
    new DataView(f64.buffer).setBigUint64(0, BigInt(text.length), true);
    f64.set(new TextEncoder().encode(text), 8);
    const model = mlp();
    await expect(load(f64, { model })).rejects.toThrow(/tensor w has dtype F64; only F32/);
    const optimizer = { stateDict: () => ({}), loadStateDict: () => {} };
    await expect(load(bytesOf(fixture.mlp.file), { model, optimizer })).rejects.toThrow(/load: the checkpoint holds no optimizer state/);
    await expect(load(42 as never, { model })).rejects.toThrow(/load: source must be/);
    model.dispose();
  });
});

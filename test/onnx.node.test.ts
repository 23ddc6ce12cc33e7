import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { init } from '../src/backend/init.js';
import { Random } from '../src/core/rng.js';
import { tensor } from '../src/ops/creation.js';
import { noGrad } from '../src/autograd/grad-mode.js';
import { OptionError, ShapeError } from '../src/core/errors.js';
import {
  Module, Sequential, Linear, ReLU, Unflatten, Identity, PReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6, Dropout, Dropout2d, Flatten, Softmax, LogSoftmax, Conv2d, ConvTranspose2d,
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d, LayerNorm, Embedding,
  Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, GroupNorm, InstanceNorm1d, InstanceNorm2d, Upsample,
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} from '../src/nn/index.js';
import { makeModel, inputShape as catalogInputShape } from '../src/catalog/models.js';
import { OnnxExportError, saveOnnx, toOnnx } from '../src/onnx.js';
import type { Tensor } from '../src/core/tensor.js';

// Exported models run in ONNX Runtime (onnxruntime-node, CPU), an independent implementation of
// every operator, and must give Descent's eval-mode outputs within 1e-5 (absolute + relative).

const TOLERANCE = 1e-5;

function inputs(shape: number[], seed: number, draw: (r: Random) => number = (r) => r.normal()): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: shape.reduce((p, s) => p * s, 1) }, () => draw(r));
}

function descentOutput(model: Module, x: Float32Array, shape: number[]): Float32Array {
  model.eval();
  return noGrad(() => model.forward(tensor(x, shape)).toArray());
}

function descentOutputShape(model: Module, sample: number[]): number[] {
  model.eval();
  return noGrad(() => [...model.forward(tensor(inputs([1, ...sample], 1), [1, ...sample])).shape]);
}

async function onnxOutput(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const { output } = await session.run({ input: new ort.Tensor('float32', x, shape) });
  await session.release();
  return { data: output.data as Float32Array, dims: output.dims };
}

/** ONNX Runtime's output for each batch size agrees with Descent's within the tolerance. */
async function expectSameOutputs(model: Module, sample: number[], options: { opsetVersion?: number; batches?: number[]; draw?: (r: Random) => number } = {}): Promise<number> {
  const bytes = toOnnx(model, { inputShape: sample, opsetVersion: options.opsetVersion });
  let worst = 0;
  for (const batch of options.batches ?? [1, 3]) {
    const shape = [batch, ...sample];
    const x = inputs(shape, 17 + batch, options.draw);
    const expected = descentOutput(model, x, shape);
    const { data, dims } = await onnxOutput(bytes, x, shape);
    expect(dims[0]).toBe(batch);
    expect(data.length).toBe(expected.length);
    for (let i = 0; i < data.length; i++) {
      const error = Math.abs(data[i] - expected[i]);
      if (!(error <= TOLERANCE + TOLERANCE * Math.abs(expected[i]))) {
        throw new Error(`output[${i}] of batch ${batch}: ONNX Runtime ${data[i]}, Descent ${expected[i]}`);
      }
      worst = Math.max(worst, error);
    }
  }
  return worst;
}

/** Running statistics off their defaults (0 and 1), by a few training-mode forwards. */
function moveRunningStats(model: Module, sample: number[]): void {
  model.train();
  for (let i = 0; i < 3; i++) noGrad(() => model.forward(tensor(inputs([4, ...sample], 100 + i, (r) => 2 * r.normal() + 0.5), [4, ...sample])));
  model.eval();
}

const mlp = () => new Sequential([
  new Linear(6, 16), new ReLU(), new Linear(16, 16), new Tanh(), new Linear(16, 12), new Sigmoid(), new Linear(12, 12),
  new LeakyReLU(0.2), new Dropout(0.3), new Linear(12, 10), new GELU(), new Linear(10, 10), new GELU({ approximate: 'tanh' }),
  new Linear(10, 5), new Softmax(),
], { seed: 1 });

describe('toOnnx: ONNX Runtime computes what Descent computes', () => {
  beforeAll(async () => {
    await init();
  });

  for (const opsetVersion of [17, 20, 21]) {
    it(`an MLP of every activation, Dropout and Softmax (opset ${opsetVersion}; GELU ${opsetVersion >= 20 ? 'as Gelu' : 'from Erf and Tanh'})`, async () => {
      const model = mlp();
      await expectSameOutputs(model, [6], { opsetVersion });
      const graph = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [6], opsetVersion })).graph!;
      const ops = graph.node.map((n) => n.opType);
      expect(ops.filter((op) => op === 'Gemm')).toHaveLength(7);
      expect(ops).not.toContain('Dropout');
      expect(ops.includes('Gelu')).toBe(opsetVersion >= 20);
      model.dispose();
    });
  }

  for (const opsetVersion of [17, 18]) {
    it(`SiLU, Mish (${opsetVersion >= 18 ? 'as Mish' : 'from Softplus and Tanh'}), ELU, SELU, Hardswish, Hardsigmoid and ReLU6 (opset ${opsetVersion})`, async () => {
      const model = new Sequential([
        new Linear(6, 8), new SiLU(), new Linear(8, 8), new Mish(), new Linear(8, 8), new ELU(0.4), new Linear(8, 8), new SELU(),
        new Linear(8, 8), new Hardswish(), new Linear(8, 8), new Hardsigmoid(), new Linear(8, 8), new ReLU6(), new Linear(8, 8), new PReLU({ init: 0.3 }),
      ], { seed: 9 });
      // Inputs spread wide, so the hard activations' every piece is reached.
      await expectSameOutputs(model, [6], { opsetVersion, batches: [5], draw: (r) => 6 * r.normal() });
      const ops = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [6], opsetVersion })).graph!.node.map((n) => n.opType);
      expect(ops.includes('Mish')).toBe(opsetVersion >= 18);
      expect(ops).toEqual(expect.arrayContaining(['Sigmoid', 'Elu', 'Selu', 'HardSwish', 'HardSigmoid', 'Clip', 'PRelu']));
      model.dispose();
    });
  }

  it('LogSoftmax over the last dimension', async () => {
    const model = new Sequential([new Linear(5, 7), new LogSoftmax()], { seed: 2 });
    await expectSameOutputs(model, [5]);
    model.dispose();
  });

  it("the CNN of `descent train --model cnn`, trained or not: Conv, MaxPool, Flatten, Gemm", async () => {
    const model = makeModel('cnn');
    const sample = catalogInputShape('cnn');
    expect(await expectSameOutputs(model, sample, { batches: [2] })).toBeLessThan(TOLERANCE);
    const ops = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: sample })).graph!.node.map((n) => n.opType);
    expect(ops).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm']);
    model.dispose();
  });

  it('convolutions with stride, dilation, groups, no bias and even-kernel same padding; BatchNorm2d with moved statistics', async () => {
    const model = new Sequential([
      new Conv2d(2, 6, 3, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }), new BatchNorm2d(6), new ReLU(),
      new Conv2d(6, 6, 3, { groups: 3, bias: false }), new BatchNorm2d(6, { affine: false }), new GELU(),
      new Conv2d(6, 4, [2, 4], { padding: 'same' }), new Tanh(), new Flatten(), new Linear(4 * 3 * 9, 3),
    ], { seed: 3 });
    moveRunningStats(model, [2, 9, 11]);
    await expectSameOutputs(model, [2, 9, 11]);
    model.dispose();
  });

  it('ConvTranspose2d: strides with outputPadding, padding, dilation, groups, no bias, 1×1 (an upsampling decoder); Dropout2d dropped', async () => {
    const model = new Sequential([
      new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1 }), new ReLU(), new Dropout2d(0.2),
      new ConvTranspose2d(6, 4, [2, 3], { stride: [1, 2], dilation: [2, 1], groups: 2, bias: false }), new Tanh(),
      new ConvTranspose2d(4, 2, 1), new Flatten(), new Linear(2 * 12 * 21, 3),
    ], { seed: 10 });
    await expectSameOutputs(model, [4, 5, 5]);
    const ops = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [4, 5, 5] })).graph!.node.map((n) => n.opType);
    expect(ops.filter((op) => op === 'ConvTranspose')).toHaveLength(3);
    model.dispose();
  });

  it("Flatten over other dimensions (torch's start_dim, end_dim) as a Reshape keeping the batch; startDim 0 refused", async () => {
    const model = new Sequential([
      new Conv2d(2, 3, 3, { padding: 1 }), new Flatten(2), new LayerNorm(20), new Flatten(1, 2), new Linear(60, 2),
    ], { seed: 9 });
    await expectSameOutputs(model, [2, 4, 5]);
    const ops = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [2, 4, 5] })).graph!.node.map((n) => n.opType);
    expect(ops.filter((op) => op === 'Reshape' || op === 'Flatten')).toEqual(['Reshape', 'Flatten']);
    const tail = new Sequential([new Conv2d(2, 3, 3), new Flatten(1, -2)], { seed: 9 });
    await expectSameOutputs(tail, [2, 4, 5]);
    expect(() => toOnnx(new Flatten(0), { inputShape: [3, 4] })).toThrow(OnnxExportError);
    expect(() => toOnnx(new Flatten(0), { inputShape: [3, 4] })).toThrow(/^toOnnx: the model \(Flatten\(0, -1\)\) merges the batch dimension \(startDim 0\)/);
    expect(() => toOnnx(new Flatten(1, 3), { inputShape: [3, 4] })).toThrow(/endDim 3 is out of range/);
    model.dispose();
    tail.dispose();
  });

  for (const opsetVersion of [17, 19]) {
    it(`Conv2d's padding modes as a Pad node before the Conv: reflect, replicate${opsetVersion >= 19 ? ', circular' : ''} (opset ${opsetVersion})`, async () => {
      const model = new Sequential([
        new Conv2d(2, 3, 3, { padding: [2, 1], paddingMode: 'reflect' }), new ReLU(),
        new Conv2d(3, 3, [2, 4], { padding: 'same', paddingMode: 'replicate', groups: 3 }), new Tanh(),
        ...(opsetVersion >= 19 ? [new Conv2d(3, 2, 3, { padding: 1, stride: 2, paddingMode: 'circular' as const })] : []),
        new Flatten(),
      ], { seed: 4 });
      await expectSameOutputs(model, [2, 7, 6], { opsetVersion });
      const nodes = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [2, 7, 6], opsetVersion })).graph!.node;
      const modes = nodes.filter((n) => n.opType === 'Pad').map((n) => new TextDecoder().decode(n.attribute[0].s));
      expect(modes).toEqual(opsetVersion >= 19 ? ['reflect', 'edge', 'wrap'] : ['reflect', 'edge']);
      model.dispose();
    });
  }

  it('max and average pooling: padding, dilation, ceilMode, countIncludePad both ways; adaptive average and max pooling to 1×1 and to a divisor', async () => {
    const pools: [Module, number[]][] = [
      [new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), [2, 8, 9]],
      [new MaxPool2d([2, 3], { stride: [1, 2], dilation: [2, 1] }), [2, 7, 8]],
      [new AvgPool2d(3, { stride: 2, padding: 1 }), [2, 8, 9]],
      [new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [2, 8, 9]],
      [new AvgPool2d(2, { ceilMode: true }), [2, 7, 7]],
      [new AvgPool2d(3, { stride: 2, padding: 1, divisorOverride: 5 }), [2, 8, 9]],
      // ceilMode keeps a partial last row but drops the last column's window (it would start in the padding).
      [new AvgPool2d([3, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [2, 8, 9]],
      [new MaxPool2d([3, 2], { stride: 2, padding: 1, ceilMode: true }), [2, 8, 9]],
      [new AdaptiveAvgPool2d(1), [3, 5, 7]],
      [new AdaptiveAvgPool2d([2, 3]), [3, 6, 9]],
      [new AdaptiveAvgPool2d([null, 3]), [3, 5, 9]],
      [new AdaptiveMaxPool2d(1), [3, 5, 7]],
      [new AdaptiveMaxPool2d([3, null]), [2, 6, 5]],
    ];
    for (const [pool, sample] of pools) {
      try {
        await expectSameOutputs(new Sequential([pool]), sample);
        // The output size by the ONNX specification's formula (ceil_mode: no window dropped) from the
        // node's attributes must be Descent's too, or ONNX's shape inference disagrees with the kernel.
        const node = fromBinary(ModelProtoSchema, toOnnx(pool, { inputShape: sample })).graph!.node[0];
        const ints = (name: string, fallback: number[]) => node.attribute.find((a) => a.name === name)?.ints.map(Number) ?? fallback;
        const ceil = Number(node.attribute.find((a) => a.name === 'ceil_mode')?.i ?? 0n) === 1;
        const [k, s, p, d] = [ints('kernel_shape', []), ints('strides', [1, 1]), ints('pads', [0, 0, 0, 0]), ints('dilations', [1, 1])];
        const onnxSize = [0, 1].map((i) => (ceil ? Math.ceil : Math.floor)((sample[i + 1] + p[i] + p[i + 2] - d[i] * (k[i] - 1) - 1) / s[i]) + 1);
        if (!node.opType.startsWith('Global')) expect(onnxSize).toEqual(descentOutputShape(pool, sample).slice(2));
      } catch (error) {
        throw new Error(`${pool.describe()} on [batch, ${sample.join(', ')}]: ${(error as Error).message}`);
      }
    }
  });

  it("the 1-D layers as ONNX's 1-D Conv, MaxPool and AveragePool: options, padding modes as a Pad node, ceil mode, adaptive pooling", async () => {
    const model = new Sequential([
      new Conv1d(3, 6, 3, { padding: 2, dilation: 2 }), new ReLU(), new MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true }),
      new Conv1d(6, 6, 4, { padding: 'same', paddingMode: 'reflect', groups: 3 }), new Tanh(),
      new Conv1d(6, 4, 3, { padding: 1, stride: 2, paddingMode: 'circular', bias: false }), new AvgPool1d(2, { ceilMode: true, countIncludePad: false }),
      new Conv1d(4, 4, 1, { paddingMode: 'replicate' }), new AdaptiveAvgPool1d(1), new Flatten(),
    ], { seed: 6 });
    await expectSameOutputs(model, [3, 23], { opsetVersion: 19 });
    const nodes = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [3, 23], opsetVersion: 19 })).graph!.node;
    expect(nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool', 'Pad', 'Conv', 'Tanh', 'Pad', 'Conv', 'AveragePool', 'Conv', 'GlobalAveragePool', 'Flatten']);
    for (const [pool, sample] of [
      [new AvgPool1d(3, { stride: 2, padding: 1 }), [2, 9]], [new MaxPool1d(2, { dilation: 2 }), [2, 9]], [new AdaptiveAvgPool1d(3), [2, 12]],
      [new AdaptiveMaxPool1d(1), [3, 10]], [new AdaptiveMaxPool1d(4), [2, 12]],
    ] as [Module, number[]][]) await expectSameOutputs(new Sequential([pool]), sample);
    expect(() => toOnnx(new AdaptiveMaxPool2d([2, 3]), { inputShape: [1, 4, 7] })).toThrow(/^toOnnx: the model \(AdaptiveMaxPool2d\(\[2, 3\]\)\) pools 4×7 to 2×3, which is not a whole number of equal windows/);
    expect(() => toOnnx(new AdaptiveAvgPool1d(3), { inputShape: [2, 7] })).toThrow(/pools 7 to 3, which is not a whole number of equal windows/);
    expect(() => toOnnx(new Conv1d(2, 2, 3), { inputShape: [2, 4, 4] })).toThrow(/^toOnnx: the model \(Conv1d\(2→2, 3\)\) takes \[batch, 2, L\], but its input is \[batch, 2, 4, 4\]$/);
    expect(() => toOnnx(new Conv1d(2, 2, 5), { inputShape: [2, 3] })).toThrow(/takes an input large enough for its window \(the output would be 0\)/);
    model.dispose();
  });

  it('GroupNorm on images and sequences, with and without affine: InstanceNormalization over the groups, then the channels\' scale and shift; InstanceNorm1d/2d', async () => {
    const model = new Sequential([new Conv2d(2, 6, 3, { padding: 1 }), new GroupNorm(3, 6), new ReLU(), new GroupNorm(6, 6, { affine: false, eps: 1e-3 }), new GroupNorm(1, 6)], { seed: 8 });
    for (const layer of [model.layers[1], model.layers[4]] as GroupNorm[]) {
      layer.weight!.data.set(inputs([6], 3, (r) => 1 + r.normal()));
      layer.bias!.data.set(inputs([6], 4));
    }
    await expectSameOutputs(model, [2, 5, 4]);
    const sequence = new Sequential([new GroupNorm(2, 4, { eps: 0.01 }), new InstanceNorm1d(4), new InstanceNorm1d(4, { affine: true })]);
    await expectSameOutputs(sequence, [4, 9]);
    const instance = new Sequential([new InstanceNorm2d(3, { affine: true, eps: 1e-3 }), new Tanh(), new InstanceNorm2d(3)]);
    await expectSameOutputs(instance, [3, 4, 5]);
    instance.dispose();
    const names = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [2, 5, 4] })).graph!.initializer.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['1.weight', '1.bias', '4.weight', '4.bias']));
    expect(() => toOnnx(new GroupNorm(2, 4), { inputShape: [3, 5] })).toThrow(/takes \[batch, 4, \*\], but its input is \[batch, 3, 5\]/);
    model.dispose();
    sequence.dispose();
  });

  it('Upsample as Resize: nearest, nearest-exact, (bi)linear with and without alignCorners, by factor and by size, up and down', async () => {
    const layers: [Upsample, number[]][] = [
      [new Upsample({ scaleFactor: 2 }), [2, 3, 4]], [new Upsample({ scaleFactor: 1.7 }), [2, 5, 3]], [new Upsample({ size: [7, 9] }), [2, 4, 5]],
      [new Upsample({ size: [5, 7], mode: 'nearest-exact' }), [2, 3, 4]], [new Upsample({ scaleFactor: 2, mode: 'bilinear' }), [2, 3, 4]],
      [new Upsample({ size: [5, 8], mode: 'bilinear', alignCorners: true }), [3, 3, 4]], [new Upsample({ scaleFactor: 0.6, mode: 'bilinear' }), [2, 7, 9]],
      [new Upsample({ scaleFactor: 1.5, mode: 'bilinear', recomputeScaleFactor: true }), [2, 5, 5]], [new Upsample({ size: 11, mode: 'linear' }), [3, 6]],
      [new Upsample({ scaleFactor: 2, mode: 'linear', alignCorners: true }), [2, 5]], [new Upsample({ scaleFactor: 3 }), [2, 4]],
    ];
    for (const [layer, sample] of layers) {
      try {
        await expectSameOutputs(new Sequential([layer]), sample);
      } catch (error) {
        throw new Error(`${layer.describe()} on [batch, ${sample.join(', ')}]: ${(error as Error).message}`);
      }
    }
    expect(() => toOnnx(new Upsample({ scaleFactor: 2, mode: 'linear' }), { inputShape: [2, 3, 4] })).toThrow(/takes \[batch, C, L\], but its input is \[batch, 2, 3, 4\]/);
  });

  it('the padding layers as Pad: zeros, a constant, reflect, edge (replicate), wrap (circular, opset 19)', async () => {
    const images = new Sequential([
      new PReLU(2, { init: -0.5 }), new ZeroPad2d([1, 2, 0, 1]), new ConstantPad2d(1, -0.5), new ReflectionPad2d([2, 1, 1, 2]), new ReplicationPad2d([0, 1, 2, 0]), new CircularPad2d([1, 1, 2, 0]),
    ]);
    await expectSameOutputs(images, [2, 3, 4], { opsetVersion: 19 });
    const sequences = new Sequential([new ZeroPad1d(1), new ConstantPad1d([0, 2], 3), new ReflectionPad1d([2, 3]), new ReplicationPad1d(2), new CircularPad1d([3, 1])]);
    await expectSameOutputs(sequences, [2, 5], { opsetVersion: 19 });
    expect(() => toOnnx(new CircularPad1d(1), { inputShape: [2, 5], opsetVersion: 17 })).toThrow(/pads in mode 'circular', which ONNX's Pad has \(as mode 'wrap'\) from opset 19/);
    expect(() => toOnnx(new ReflectionPad1d(5), { inputShape: [2, 5] })).toThrow(/mode 'reflect' needs each padding of the length below its size 5/);
    expect(() => toOnnx(new ZeroPad2d(1), { inputShape: [2, 5] })).toThrow(/takes \[batch, C, H, W\], but its input is \[batch, 2, 5\]/);
  });

  it('Unflatten as a Reshape keeping the batch (a decoder: Linear → Unflatten → ConvTranspose2d); Identity dropped', async () => {
    const model = new Sequential([new Linear(6, 2 * 3 * 3), new Identity(), new Unflatten(1, [2, -1, 3]), new ConvTranspose2d(2, 1, 2, { stride: 2 }), new Unflatten(-1, [2, 3])], { seed: 3 });
    await expectSameOutputs(model, [6]);
    expect(fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [6] })).graph!.node.map((n) => n.opType)).toEqual(['Gemm', 'Reshape', 'ConvTranspose', 'Reshape']);
    expect(() => toOnnx(new Unflatten(0, [2, -1]), { inputShape: [4] })).toThrow(/splits the batch dimension/);
    expect(() => toOnnx(new Unflatten(1, [4, 2]), { inputShape: [6] })).toThrow(/takes a dimension 1 of 8 entries, but its input is \[batch, 6\]/);
    model.dispose();
  });

  it('BatchNorm1d on [batch, C] and [batch, C, L], LayerNorm with and without affine', async () => {
    const flat = new Sequential([new Linear(5, 8), new BatchNorm1d(8), new ReLU(), new LayerNorm(8), new Linear(8, 3)], { seed: 4 });
    moveRunningStats(flat, [5]);
    await expectSameOutputs(flat, [5]);
    const sequence = new Sequential([new BatchNorm1d(4, { eps: 1e-3 }), new LayerNorm([4, 6], { elementwiseAffine: false }), new Flatten()], { seed: 5 });
    moveRunningStats(sequence, [4, 6]);
    await expectSameOutputs(sequence, [4, 6]);
    flat.dispose();
    sequence.dispose();
  });

  it('Embedding (Gather of float indices cast to int64), then LayerNorm and Linear over [batch, L, D]', async () => {
    const model = new Sequential([
      new Embedding(10, 6, { paddingIdx: 0 }), new LayerNorm(6), new Linear(6, 4), new GELU(), new Flatten(), new Linear(20, 3),
    ], { seed: 6 });
    await expectSameOutputs(model, [5], { draw: (r) => r.int(10) });
    model.dispose();
  });

  it('a nested Sequential and a lone layer export; a model of Dropout alone is an Identity', async () => {
    const nested = new Sequential([new Sequential([new Linear(3, 4), new ReLU()]), new Linear(4, 2)], { seed: 7 });
    await expectSameOutputs(nested, [3]);
    const names = fromBinary(ModelProtoSchema, toOnnx(nested, { inputShape: [3] })).graph!.initializer.map((t) => t.name);
    expect(names).toEqual(['0.0.weight', '0.0.bias', '1.weight', '1.bias']);
    const lone = new Linear(3, 2);
    await expectSameOutputs(lone, [3]);
    await expectSameOutputs(new Dropout(0.5), [3]);
    nested.dispose();
    lone.dispose();
  });
});

describe('toOnnx: the file', () => {
  beforeAll(async () => {
    await init();
  });

  it("names the weights by state_dict key, holds their values, and declares [batch, …] float input and output", () => {
    const model = new Sequential([new Conv2d(1, 2, 3), new BatchNorm2d(2), new Flatten(), new Linear(2 * 4 * 4, 3)], { seed: 8 });
    moveRunningStats(model, [1, 6, 6]);
    const onnx = fromBinary(ModelProtoSchema, toOnnx(model, { inputShape: [1, 6, 6] }));
    expect(onnx.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(Number(onnx.irVersion)).toBe(8);
    const graph = onnx.graph!;
    const state = model.stateDict();
    const floatKeys = Object.keys(state).filter((k) => state[k].dtype !== 'int64');
    expect(graph.initializer.map((t) => t.name).sort()).toEqual(floatKeys.sort());
    for (const t of graph.initializer) {
      expect(t.dataType).toBe(TensorProto_DataType.FLOAT);
      expect(t.dims.map(Number)).toEqual(state[t.name].shape);
      expect(new Float32Array(t.rawData.slice().buffer)).toEqual(state[t.name].data);
    }
    const dims = (v: (typeof graph.input)[number]) => (v.type!.value.value as { shape: { dim: { value: { value: unknown } }[] } }).shape.dim.map((d) => d.value.value);
    expect([graph.input[0].name, dims(graph.input[0])]).toEqual(['input', ['batch', 1n, 6n, 6n]]);
    expect([graph.output[0].name, dims(graph.output[0])]).toEqual(['output', ['batch', 3n]]);
    model.dispose();
  });

  it('saveOnnx writes the same bytes to a file ONNX Runtime opens', async () => {
    const model = mlp();
    const path = join(mkdtempSync(join(tmpdir(), 'descent-onnx-')), 'model.onnx');
    await saveOnnx(path, model, { inputShape: [6] });
    const bytes = new Uint8Array(readFileSync(path));
    expect(bytes).toEqual(toOnnx(model, { inputShape: [6] }));
    const session = await ort.InferenceSession.create(path);
    expect(session.inputNames).toEqual(['input']);
    await session.release();
    model.dispose();
  });
});

describe('toOnnx: what it refuses', () => {
  beforeAll(async () => {
    await init();
  });

  it('bad options: typed errors naming the function, the option, what was given and what was expected', async () => {
    const model = new Sequential([new Linear(4, 2)]);
    const cases: [unknown, RegExp][] = [
      [undefined, /^toOnnx: inputShape is required \(the shape of one sample without the batch dimension/],
      [{}, /^toOnnx: inputShape is required/],
      [{ inputShape: [0] }, /^toOnnx: inputShape\[0\] must be/],
      [{ inputShape: 4 }, /^toOnnx: inputShape must be the shape of one sample without the batch dimension, e\.g\. \[784\] or \[1, 28, 28\], got 4/],
      [{ inputShape: [4], opsetVersion: 16 }, /^toOnnx: opsetVersion must be an integer in \[17, 21\], got 16/],
      [{ inputShape: [4], opsetVersion: 22 }, /^toOnnx: opsetVersion must be an integer in \[17, 21\], got 22/],
      [{ inputShape: [4], opsetVerison: 17 }, /^toOnnx: unknown option opsetVerison \(valid: inputShape, opsetVersion\); did you mean opsetVersion\?/],
      [[4], /^toOnnx: options must be an object like \{ inputShape, opsetVersion \}/],
    ];
    for (const [options, message] of cases) {
      expect(() => toOnnx(model, options as never), JSON.stringify(options)).toThrow(OptionError);
      expect(() => toOnnx(model, options as never), JSON.stringify(options)).toThrow(message);
    }
    expect(() => toOnnx({} as never, { inputShape: [4] })).toThrow(/^toOnnx: model must be a Module, got \{\}/);
    await expect(saveOnnx('', model, { inputShape: [4] })).rejects.toThrow(/^saveOnnx: path must be/);
    await expect(saveOnnx('/no/such/folder/m.onnx', model, { inputShape: [4] })).rejects.toThrow(/^saveOnnx: cannot write \/no\/such\/folder\/m\.onnx: the folder \/no\/such\/folder does not exist/);
    await expect(saveOnnx(join(tmpdir(), 'm.onnx'), model, { inputShape: [5] })).rejects.toThrow(/^saveOnnx: layer 0 \(Linear\(4→2\)\) takes \[batch, …, 4\], but its input is \[batch, 5\]/);
    model.dispose();
  });

  it('an inputShape the model cannot take: a ShapeError naming the layer', () => {
    const model = new Sequential([new Conv2d(1, 2, 3), new Flatten(), new Linear(8, 2)]);
    expect(() => toOnnx(model, { inputShape: [784] })).toThrow(ShapeError);
    expect(() => toOnnx(model, { inputShape: [784] })).toThrow(/^toOnnx: layer 0 \(Conv2d\(1→2, 3\)\) takes \[batch, 1, H, W\], but its input is \[batch, 784\]$/);
    expect(() => toOnnx(model, { inputShape: [1, 5, 5] })).toThrow(/^toOnnx: layer 2 \(Linear\(8→2\)\) takes \[batch, …, 8\], but its input is \[batch, 18\]$/);
    expect(() => toOnnx(model, { inputShape: [1, 4, 4] })).not.toThrow();
    const norm = new BatchNorm1d(4);
    expect(() => toOnnx(norm, { inputShape: [3] })).toThrow(/^toOnnx: the model \(BatchNorm1d\(4\)\) takes \[batch, 4\] or \[batch, 4, L\], but its input is \[batch, 3\]$/);
    model.dispose();
    norm.dispose();
  });

  it('a layer with no ONNX operator, adaptive pooling with uneven windows, BatchNorm without running statistics: OnnxExportError naming it', () => {
    class Square extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const custom = new Sequential([new Linear(3, 3), new Square()]);
    expect(() => toOnnx(custom, { inputShape: [3] })).toThrow(OnnxExportError);
    expect(() => toOnnx(custom, { inputShape: [3] })).toThrow(/^toOnnx: layer 1 \(Square\) has no ONNX export; the layers that export are Sequential, Linear, ReLU, /);
    const uneven = new AdaptiveAvgPool2d(3);
    expect(() => toOnnx(uneven, { inputShape: [1, 7, 9] })).toThrow(/^toOnnx: the model \(AdaptiveAvgPool2d\(3\)\) pools 7×9 to 3×3, which is not a whole number of equal windows/);
    expect(() => toOnnx(new AvgPool2d([3, 2], { stride: 2, padding: 1, ceilMode: true }), { inputShape: [2, 8, 9] })).toThrow(
      /^toOnnx: the model \(AvgPool2d\(\[3, 2\], stride 2, padding 1, ceilMode\)\) on \[batch, 2, 8, 9\] keeps a partial last window along one dimension and drops one along the other/,
    );
    expect(() => toOnnx(new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, divisorOverride: 4 }), { inputShape: [1, 8, 8] })).toThrow(
      /^toOnnx: the model \(AvgPool2d\(3, stride 2, padding 1, ceilMode, divisorOverride 4\)\) on \[batch, 1, 8, 8\] has a last window past the padding, which ONNX's AveragePool cannot divide by divisorOverride 4/,
    );
    const circular = new Conv2d(1, 1, 3, { padding: 1, paddingMode: 'circular' });
    expect(() => toOnnx(circular, { inputShape: [1, 5, 5], opsetVersion: 18 })).toThrow(
      /^toOnnx: the model \(Conv2d\(1→1, 3, padding 1, paddingMode 'circular'\)\) pads with paddingMode 'circular', which ONNX's Pad has \(as mode 'wrap'\) from opset 19; export with opsetVersion 19 or later$/,
    );
    expect(() => toOnnx(new Conv2d(1, 1, 3, { padding: 3, paddingMode: 'reflect' }), { inputShape: [1, 3, 5] })).toThrow(/mode 'reflect' needs each padding of the height below its size 3/);
    circular.dispose();
    const batchStats = new Sequential([new BatchNorm1d(3, { trackRunningStats: false })]);
    expect(() => toOnnx(batchStats, { inputShape: [3] })).toThrow(/^toOnnx: layer 0 \(BatchNorm1d\(3\)\) has no running statistics/);
    custom.dispose();
    batchStats.dispose();
  });
});

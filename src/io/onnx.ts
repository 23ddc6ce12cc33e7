import { create, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema, GraphProtoSchema, OperatorSetIdProtoSchema, ValueInfoProtoSchema, TypeProtoSchema, TypeProto_TensorSchema,
  TensorShapeProtoSchema, TensorShapeProto_DimensionSchema, TensorProto_DataType, type ValueInfoProto,
} from 'onnx-buf';
import { POSITIVE_INT, STRING, arrayOf, checkOptions, checkValue, instanceOf, int, required } from '../core/validate.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { OnnxExportError, OnnxGraph } from './onnx-graph.js';
import { EMITTERS } from './onnx-layers.js';
import type { Flow } from './onnx-emit.js';
import { writeFileAtomic } from './files.js';

// ONNX export: the model as an ONNX graph for inference anywhere ONNX Runtime (Node, the web,
// native) or another ONNX engine runs. The graph computes the model's eval-mode forward: one
// float32 input "input" of shape [batch, …inputShape], one output "output", the batch dimension
// dynamic (dim_param "batch"). Weights are initializers named by the model's state_dict keys
// (`0.weight`), as torch.onnx.export names them; the layer-to-operator table is onnx-layers.ts.

export interface OnnxOptions {
  /** The shape of one sample, without the batch dimension: [784] for flat digits, [1, 28, 28] for images. */
  inputShape: number[];
  /** The ONNX operator set, 17 (the default, the first with LayerNormalization) to 21. */
  opsetVersion?: number;
}

const MIN_OPSET = 17;
const MAX_OPSET = 21;
const DEFAULT_OPSET = MIN_OPSET;
/** The IR version each opset came with: a runtime that reads the opset reads its IR. */
const IR_VERSION: Record<number, number> = { 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

const RULES = {
  inputShape: { ...required(arrayOf(POSITIVE_INT)), description: 'the shape of one sample without the batch dimension, e.g. [784] or [1, 28, 28]' },
  opsetVersion: int(MIN_OPSET, MAX_OPSET),
};
const MODEL = required(instanceOf(Module, 'Module'));

/**
 * The model as the bytes of an ONNX file (a ModelProto). Exports Sequential models of Linear,
 * Conv2d, the pooling, normalisation and Embedding layers, the activations, Softmax, LogSoftmax,
 * Flatten and Dropout (dropped: the graph is the eval-mode forward). A layer with no ONNX
 * operator is an OnnxExportError naming it; an inputShape the model cannot take, a ShapeError.
 * The bytes load as they are: `ort.InferenceSession.create(bytes)` in onnxruntime-node or -web.
 */
export function toOnnx(model: Module, options: OnnxOptions): Uint8Array<ArrayBuffer> {
  return exportOnnx('toOnnx', model, options);
}

/** Writes `toOnnx(model, options)` to `path` (Node), atomically as checkpoints are written. */
export async function saveOnnx(path: string, model: Module, options: OnnxOptions): Promise<void> {
  checkValue('saveOnnx', 'path', path, required(STRING));
  await writeFileAtomic(path, exportOnnx('saveOnnx', model, options), 'saveOnnx');
}

function exportOnnx(owner: string, model: Module, options: OnnxOptions): Uint8Array<ArrayBuffer> {
  checkValue(owner, 'model', model, MODEL);
  const { inputShape, opsetVersion = DEFAULT_OPSET } = checkOptions<OnnxOptions>(owner, options, RULES) as OnnxOptions;
  const graph = new OnnxGraph(opsetVersion);
  graph.fresh('input');
  graph.fresh('output');
  const out = emit(owner, model, { value: 'input', shape: [...inputShape] }, graph, '');
  // The last value takes the name "output": the last node's, or an Identity's when no node made it
  // (a model of Dropout alone).
  const last = graph.nodes[graph.nodes.length - 1];
  if (last !== undefined && last.output[0] === out.value) last.output[0] = last.name = 'output';
  else graph.node('Identity', [out.value], {}, 'Identity', 'output');
  const onnx = create(ModelProtoSchema, {
    irVersion: BigInt(IR_VERSION[opsetVersion]),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opsetVersion) })],
    producerName: 'descent',
    graph: create(GraphProtoSchema, {
      name: model.describe(),
      node: graph.nodes,
      initializer: graph.initializers,
      input: [floatValue('input', inputShape)],
      output: [floatValue('output', out.shape)],
    }),
  });
  return toBinary(ModelProtoSchema, onnx);
}

/** A Sequential's layers in order (nested ones too), any other module through its emitter. */
function emit(owner: string, module: Module, x: Flow, graph: OnnxGraph, prefix: string): Flow {
  const where = prefix === '' ? `the model (${module.describe()})` : `layer ${prefix.slice(0, -1)} (${module.describe()})`;
  if (module.constructor === Sequential) {
    return (module as Sequential).layers.reduce((flow, layer, i) => emit(owner, layer, flow, graph, `${prefix}${i}.`), x);
  }
  const emitter = EMITTERS.get(module.constructor as new () => Module) as ((layer: Module, x: Flow, site: object) => Flow) | undefined;
  if (emitter === undefined) {
    const known = ['Sequential', ...[...EMITTERS.keys()].map((c) => c.name)].join(', ');
    throw new OnnxExportError(`${owner}: ${where} has no ONNX export; the layers that export are ${known}`);
  }
  return emitter(module, x, { graph, owner, where, prefix });
}

/** A float32 graph input or output of shape [batch, …shape]. */
function floatValue(name: string, shape: readonly number[]): ValueInfoProto {
  const dim = [
    create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: 'batch' } }),
    ...shape.map((d) => create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(d) } })),
  ];
  const tensorType = create(TypeProto_TensorSchema, { elemType: TensorProto_DataType.FLOAT, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema, AttributeProto_AttributeType, NodeProtoSchema, TensorProtoSchema, TensorProto_DataType,
  type AttributeProto, type NodeProto, type TensorProto,
} from 'onnx-buf';
import { DescentError } from '../core/errors.js';

// The ONNX graph as toOnnx builds it: nodes in execution order, each writing one fresh value, and
// the initializers (weights and constants) they read. The messages come from onnx-buf (ONNX's own
// onnx.proto compiled by protoc-gen-es), so the bytes follow the specification's field numbers.

/** A model that cannot be written as ONNX: a layer with no ONNX operator, or a setting ONNX cannot express. */
export class OnnxExportError extends DescentError {}

/** An attribute's value: ints and floats are told apart explicitly (ONNX types them; JS does not). */
export type Attribute = { int: number } | { ints: readonly number[] } | { float: number } | { string: string };

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly scalars = new Map<number, string>();

  constructor(readonly opset: number) {}

  /** `base`, or `base_1`, `base_2`… if a value of that name exists already. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Appends a node `op(inputs)` and returns the name of its output, `output` or a fresh one from `hint`. */
  node(op: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, hint = op, output = this.fresh(hint)): string {
    this.nodes.push(create(NodeProtoSchema, {
      opType: op, name: output, input: [...inputs], output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    }));
    return output;
  }

  /** A float32 initializer (a weight under its state_dict name, or a constant). */
  floats(name: string, shape: readonly number[], data: Float32Array): string {
    const bytes = new Uint8Array(data.byteLength);
    // ONNX's raw_data is little-endian whatever the host; every engine Descent runs on is too.
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return this.initializer(name, shape, TensorProto_DataType.FLOAT, bytes);
  }

  /** An int64 initializer (a shape, an axis list). */
  int64s(name: string, shape: readonly number[], data: readonly number[]): string {
    const values = BigInt64Array.from(data, (v) => BigInt(v));
    return this.initializer(name, shape, TensorProto_DataType.INT64, new Uint8Array(values.buffer));
  }

  /** A float32 scalar constant, one initializer per value however often it is used. */
  scalar(value: number): string {
    const known = this.scalars.get(value);
    if (known !== undefined) return known;
    const name = this.floats(this.fresh(`const_${value}`), [], Float32Array.of(value));
    this.scalars.set(value, name);
    return name;
  }

  private initializer(name: string, shape: readonly number[], dataType: TensorProto_DataType, rawData: Uint8Array<ArrayBuffer>): string {
    this.used.add(name);
    this.initializers.push(create(TensorProtoSchema, { name, dims: shape.map((d) => BigInt(d)), dataType, rawData }));
    return name;
  }
}

function attribute(name: string, value: Attribute): AttributeProto {
  if ('int' in value) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value.int) });
  if ('ints' in value) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: value.ints.map((v) => BigInt(v)) });
  if ('float' in value) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value.float });
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(value.string) });
}

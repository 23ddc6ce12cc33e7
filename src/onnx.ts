// descent/onnx: ONNX export, an entry of its own as torch.onnx is a module of its own. The
// exporter writes protobuf through @bufbuild/protobuf and onnx-buf; keeping it out of the main
// entry ('descent') keeps that entry free of any bare import, so a page or a module worker loads
// it without a bundler or an import map. OnnxExportError still extends the main entry's
// DescentError: both entries import the same dist/core/errors.js.
export { toOnnx, saveOnnx, type OnnxOptions } from './io/onnx.js';
export { OnnxExportError } from './io/onnx-graph.js';

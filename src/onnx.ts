/**
 * ONNX export, `import { toOnnx, saveOnnx } from 'descent/onnx'`: an entry of its own, as
 * torch.onnx is a module of its own. The exporter writes protobuf through @bufbuild/protobuf and
 * onnx-buf; kept out of the main entry, it leaves `descent` free of any package import, so a page
 * or a module worker loads that without a bundler or an import map. OnnxExportError extends the
 * main entry's DescentError: both entries import the same dist/core/errors.js.
 * @module descent/onnx
 */
export { toOnnx, saveOnnx, type OnnxOptions } from './io/onnx.js';
export { OnnxExportError } from './io/onnx-graph.js';

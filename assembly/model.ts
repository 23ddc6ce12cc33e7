// The model kernels (the ModelKernels interface in src/backend/backend.ts), one export per name
// of MODEL_KERNEL_NAMES.
export {
  activationForward, activationBackward, biasActivation,
  softmaxRows, logSoftmaxRows, softmaxRowsBackward, logSoftmaxRowsBackward,
} from './activations';
export {
  crossEntropyForward, crossEntropyBackward, nllForward, nllBackward, lossForward, lossBackward,
} from './losses';
export { unary, unaryBackward, binary, sumRows, sumCols, transpose } from './ops';

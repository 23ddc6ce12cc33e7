// The model kernels (the MODEL_KERNELS table in src/backend/kernels-model.ts): each family file
// exports only kernels, so it is exported whole.
export * from './activations';
export * from './losses';
export * from './ops';

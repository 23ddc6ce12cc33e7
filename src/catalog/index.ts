// The catalogue: the optimizers, schedulers and activations by name, the 2-D test functions and the
// trajectory runner — what the command line (src/cli) and the demo page both offer. Browser-safe.
export * from './optimizers.js';
export * from './schedulers.js';
export * from './activations.js';
export * from './functions2d.js';
export * from './trajectory.js';
export * from './models.js';

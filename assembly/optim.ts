// The optimizer kernels (OptimKernels in src/backend/optim-kernels.ts, where each formula is
// stated), one file per family; what they share, and why the loops are shaped as they are, is in
// optim-step.ts.
export { sgdUpdate, emaMomentumUpdate } from './optim-momentum';
export { adagradUpdate, rmspropUpdate, adadeltaUpdate } from './optim-adaptive';
export { adamUpdate, adamaxUpdate, nadamUpdate, radamUpdate, yogiUpdate } from './optim-adam';
export { lionUpdate } from './optim-momentum';
export { normPower, clampAbs } from './optim-clip';

// The optimizer kernels, one file per family; what they share, and why the loops are shaped as
// they are, is in optim-step.ts. Each family file exports only its kernels, so a kernel added to
// one is exported with no edit here. Each kernel's arguments and formula are declared beside its
// js twin (src/backend/js/optim*.ts), the reference it matches bit for bit.
export * from './optim-momentum';
export * from './optim-adaptive';
export * from './optim-adam';
export * from './optim-clip';

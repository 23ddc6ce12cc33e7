// LeNet full training steps on the simd build, one thread, batch 32 and 128: the conv section's
// first row alone, for iterating on the kernels (the whole section takes minutes). Run under the
// CPU lock:  flock /tmp/descent-cpu.lock npx tsx bench/lenet-step.ts
import { init } from '../src/index.js';
import { BATCHES_OF_LENET, descentLenetConfigs } from './conv.js';
import { FULL_TIMING, roundRobin } from './train-step.js';

const simd = { backend: 'wasm', build: 'simd' } as const;
await init(simd);
for (const batch of BATCHES_OF_LENET) {
  const configs = descentLenetConfigs([simd])(batch);
  const [rate] = await roundRobin(configs, batch, FULL_TIMING);
  configs[0].stepper.dispose();
  console.log(`LeNet b${batch}, simd ×1: ${Math.round(rate)} samples/s`);
}

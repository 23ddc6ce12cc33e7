import { expect } from 'vitest';
import { gemmWorkspace, requireBackend, requireHeap } from '../src/core/runtime.js';
import { CONV_KERNELS } from '../src/backend/kernels-conv.js';
import { setBackendForBenchmark } from '../src/backend/init.js';

// Each convolution kernel with a work region gets `workBytes` per thread (src/nn/conv.ts's
// workspace()); a kernel laying out more than that writes over whatever follows (a 1×1 layer's
// input gradient did). While `body` runs, the active backend's scratch kernels are wrapped: the
// shared workspace is grown first, so what follows a call's regions (the last thread's included)
// is still the workspace, filled with a pattern before the call and compared after it.

/** The kernels of the conv table that take a per-thread work region, and where its arguments are. */
export const SCRATCH_KERNELS = Object.entries(CONV_KERNELS).flatMap(([name, spec]) => {
  const names = spec.args.split(' ').map((a) => a.split(':')[0]);
  return names.includes('workBytes') ? [{ name, work: names.indexOf('work'), bytes: names.indexOf('workBytes') }] : [];
});

/** Runs `body` with every scratch kernel checked; returns the names of those it called. */
export function guardingConvScratch(body: () => void): string[] {
  const base = requireBackend();
  const total = 1 << 24, guardFloats = 1 << 14, pattern = -1234.5;
  const start = gemmWorkspace(total);
  const seen = new Set<string>();
  const wrapped: Record<string, unknown> = { ...base };
  for (const { name, work, bytes } of SCRATCH_KERNELS) {
    const kernel = (base as unknown as Record<string, (...a: number[]) => void>)[name];
    wrapped[name] = (...args: number[]) => {
      const end = args[work] + args[bytes] * base.threads;
      expect(args[work]).toBe(start);
      expect(end + guardFloats * 4, `${name}: the regions fit the grown workspace`).toBeLessThanOrEqual(start + total);
      requireHeap().f32(end, guardFloats).fill(pattern);
      kernel(...args);
      const first = requireHeap().f32(end, guardFloats).findIndex((v) => v !== pattern);
      expect(first, `${name}(${args.join(', ')}) wrote ${first * 4} bytes past its regions`).toBe(-1);
      seen.add(name);
    };
  }
  setBackendForBenchmark(wrapped as unknown as typeof base);
  try {
    body();
  } finally {
    setBackendForBenchmark(base);
  }
  return [...seen].sort();
}

import { afterEach, describe, expect, it } from 'vitest';
import { init, BackendError } from '../src/index.js';

// A page that is not cross-origin isolated has no SharedArrayBuffer to share: `init({ threads })`
// must say what is missing and leave the runtime uninitialised (no heap), so that the program can
// still call init again. Node-only: Node reports no `crossOriginIsolated`, so it can be stubbed.

describe('threads without cross-origin isolation', () => {
  afterEach(() => {
    delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  });

  it('throws a BackendError naming COOP/COEP, and a later init still works', async () => {
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated = false;
    await expect(init({ threads: 2 })).rejects.toThrow(BackendError);
    await expect(init({ threads: 2 })).rejects.toThrow(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin/);
    delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    expect(await init({ threads: 2 })).toMatchObject({ build: 'threads', threads: 2 });
  });
});

// The median every benchmark reports (the machine is shared and noisy: see harness.ts). A module of
// its own with no imports, so that the browser-safe protocol (train-step.ts) and the Node-side
// harness share it.

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

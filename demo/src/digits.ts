// Reads demo/public/mnist-digits.bin (written by demo/scripts/build-digits.mjs at build time) into
// the ten per-digit pixel arrays that datasets.mnist({ digits }) takes.

const GZIP = [0x1f, 0x8b];

export async function loadDigits(url: string): Promise<Float32Array[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch the digits (${url}): HTTP ${response.status}; run npm run build:demo`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  // The file is gzip; a server that sent it with Content-Encoding: gzip has already inflated it.
  if (bytes[0] === GZIP[0] && bytes[1] === GZIP[1]) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== 'DMN1') throw new Error(`${url} is not a digits file (DMN1)`);
  const counts = Array.from({ length: 10 }, (_, d) => view.getUint32(4 + 4 * d, true));
  const levels = new Float32Array(256);
  for (let i = 0; i < 256; i++) levels[i] = view.getFloat32(44 + 4 * i, true);
  let at = 44 + 1024;
  return counts.map((count) => {
    const pixels = new Float32Array(count * 784);
    for (let i = 0; i < pixels.length; i++) pixels[i] = levels[bytes[at++]];
    return pixels;
  });
}

import { crc32 } from './crc32.js';
import { CheckpointError } from './safetensors.js';

// A checkpoint's CRC-32 covers the whole file: the header length, every tensor's name, dtype,
// shape and offsets, the JSON state, and the data. It is stored in the header it covers, so it is
// computed with its own 8 hex digits written as zeros, then written in place (same length: no
// offset moves). A reader finds the one `"descent.crc32":"…"` in the header — JSON escapes every
// quote inside a string, so that sequence cannot occur inside another key or value — and checks
// the file the same way, in three pieces, without copying it.

export const CHECKSUM_KEY = 'descent.crc32';
/** The metadata entry a writer encodes, for `sealChecksum` to fill in. */
export const CHECKSUM_PLACEHOLDER: Readonly<Record<string, string>> = { [CHECKSUM_KEY]: '00000000' };

const ZEROS = new TextEncoder().encode('00000000');
const NEEDLE = new TextEncoder().encode(`"${CHECKSUM_KEY}":"`);

/** Writes the checksum of `bytes` (encoded with CHECKSUM_PLACEHOLDER) into its placeholder. */
export function sealChecksum(bytes: Uint8Array): Uint8Array {
  const at = checksumOffset(bytes);
  bytes.set(new TextEncoder().encode(hex(crc32(bytes))), at);
  return bytes;
}

/** Throws CheckpointError unless the stored checksum matches the file's bytes. */
export function verifyChecksum(bytes: Uint8Array, metadata: Record<string, string>): void {
  const stored = metadata[CHECKSUM_KEY];
  if (typeof stored !== 'string' || !/^[0-9a-f]{8}$/.test(stored)) {
    throw new CheckpointError(`the checkpoint's ${CHECKSUM_KEY} must be 8 hex digits, got ${JSON.stringify(stored ?? null)}`);
  }
  const at = checksumOffset(bytes);
  const computed = hex(crc32(bytes.subarray(at + 8), crc32(ZEROS, crc32(bytes.subarray(0, at)))));
  if (computed !== stored) {
    throw new CheckpointError(`the checkpoint's checksum does not match (stored ${stored}, computed ${computed}): the file was changed or damaged`);
  }
}

/** The byte offset of the checksum's 8 digits: after the one occurrence of the key in the header. */
function checksumOffset(bytes: Uint8Array): number {
  const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const first = indexOf(bytes, NEEDLE, 8, headerEnd);
  if (first < 0 || indexOf(bytes, NEEDLE, first + 1, headerEnd) >= 0) {
    throw new CheckpointError(`the checkpoint's header must hold ${CHECKSUM_KEY} exactly once`);
  }
  return first + NEEDLE.length;
}

function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  for (let i = bytes.indexOf(needle[0], from); i >= 0 && i + needle.length <= end; i = bytes.indexOf(needle[0], i + 1)) {
    let k = 1;
    while (k < needle.length && bytes[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

import { DescentError } from '../core/errors.js';

// A reader and writer for the safetensors format (huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON header, then the raw tensor bytes. The header
// maps each name to { dtype, shape, data_offsets: [begin, end] } relative to the byte buffer, plus
// an optional "__metadata__" of string → string. There is no maintained npm package for it, so
// this is a small one, strict on reading: every field is checked before any tensor is returned.

/** A checkpoint or safetensors file that is malformed, truncated, tampered with or incompatible. */
export class CheckpointError extends DescentError {}

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
  /**
   * 'int64': stored as I64, torch's dtype for BatchNorm's num_batches_tracked (so PyTorch loads it
   * as it saves it); the values are integers held in float32, exact up to 2^24. Absent: F32.
   */
  dtype?: 'int64';
}

/** Bytes per element of a tensor as stored. */
const elementBytes = (t: NamedTensor): number => (t.dtype === 'int64' ? 8 : 4);

/** A tensor's stored bytes (little-endian, as the heap's views: every WebAssembly host is). */
function storedBytes(t: NamedTensor): Uint8Array {
  if (t.dtype !== 'int64') return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return new Uint8Array(BigInt64Array.from(t.data, (v) => {
    if (!Number.isInteger(v)) throw new CheckpointError(`an int64 tensor holds ${v}, expected integers`);
    return BigInt(v);
  }).buffer);
}

export interface SafetensorsContent {
  tensors: Record<string, NamedTensor>;
  metadata: Record<string, string>;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024; // the reference implementation's limit

/**
 * The tensors' values back to back as little-endian float32: a safetensors data section. The
 * bytes are copied as they are: every host that runs WebAssembly is little-endian (the heap's
 * Float32Array views already rely on it), so no per-element conversion is needed.
 */
export function dataSection(tensors: Record<string, NamedTensor>): Uint8Array {
  const total = Object.values(tensors).reduce((n, t) => n + t.data.length * elementBytes(t), 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const t of Object.values(tensors)) {
    const bytes = storedBytes(t);
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}

/** Encodes float32 tensors (in the given name order) and string metadata. */
export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.data.length * elementBytes(t);
    header[name] = { dtype: t.dtype === 'int64' ? 'I64' : 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (raw.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const data = dataSection(tensors);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** Decodes and fully validates a safetensors file (float32 tensors only). */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContent {
  const fail = (why: string): never => {
    throw new CheckpointError(`not a valid safetensors file: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file as a Uint8Array');
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(`the header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLength > bytes.length) fail(`the header claims ${headerLength} bytes but the file has only ${bytes.length - 8} after the length (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: [string, number[], number, number, boolean][] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') fail(`entry ${name} is not an object`);
    if (e.dtype !== 'F32' && e.dtype !== 'I64') fail(`tensor ${name} has dtype ${String(e.dtype)}; only F32 (and I64, for counters) is supported`);
    const size = e.dtype === 'I64' ? 8 : 4;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor ${name} has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      fail(`tensor ${name} has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const count = (e.shape as number[]).reduce((p, d) => p * d, 1);
    if (end - begin !== count * size) fail(`tensor ${name} of shape ${JSON.stringify(e.shape)} needs ${count * size} bytes but its offsets span ${end - begin}`);
    if (end > dataLength) fail(`tensor ${name} ends at byte ${end} of a ${dataLength}-byte data section (truncated?)`);
    entries.push([name, e.shape as number[], begin, end, size === 8]);
  }
  // The format requires the tensors to tile the data section exactly: no overlaps, no holes.
  const sorted = [...entries].sort((a, b) => a[2] - b[2]);
  let expected = 0;
  for (const [name, , begin, end] of sorted) {
    if (begin !== expected) fail(`tensor ${name} starts at byte ${begin}, expected ${expected} (overlap or hole)`);
    expected = end;
  }
  if (expected !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover ${expected}`);
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, shape, begin, end, int64] of entries) {
    // A copy (slice) gives the alignment a typed array needs wherever the tensor sits.
    const start = bytes.byteOffset + dataStart + begin;
    const raw = bytes.buffer.slice(start, start + (end - begin));
    tensors[name] = int64
      ? { shape, data: Float32Array.from(new BigInt64Array(raw), (v) => Number(v)), dtype: 'int64' }
      : { shape, data: new Float32Array(raw) };
  }
  return { tensors, metadata };
}

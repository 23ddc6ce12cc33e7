import { CheckpointError } from './safetensors.js';
import { deserialize, restore, serialize, type CheckpointContent, type CheckpointParts } from './checkpoint.js';

// Node-only file access for checkpoints. Writes are atomic: the bytes go to a temporary file in
// the same folder, are flushed to disk, and the temporary file is renamed over the target — a
// crash leaves either the old checkpoint or the new one, never half of one.

/** The file functions need Node; in a page, bytes go through serialize / deserialize instead. */
async function nodeFs(what: string): Promise<typeof import('node:fs/promises')> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new CheckpointError(`${what} reads and writes files, which needs Node; in the browser use serialize() / deserialize() / restore() on bytes`);
  }
  return import(/* @vite-ignore */ 'node:fs/promises');
}

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await nodeFs('save');
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Writes a checkpoint (.safetensors) atomically. */
export async function save(path: string, parts: CheckpointParts): Promise<void> {
  await writeFileAtomic(path, serialize(parts));
}

/** Reads and validates a checkpoint file without applying it. */
export async function readCheckpoint(path: string): Promise<CheckpointContent> {
  const fs = await nodeFs('load');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (error) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(error as Error).message}`);
  }
  return deserialize(bytes);
}

/** Reads, validates and applies a checkpoint; returns its content (epoch, extra state). */
export async function load(path: string, parts: Omit<CheckpointParts, 'epoch' | 'extra'>): Promise<CheckpointContent> {
  const content = await readCheckpoint(path);
  restore(content, parts);
  return content;
}

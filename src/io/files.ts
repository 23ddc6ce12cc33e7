import { STRING, anyOf, checkValue, instanceOf, required } from '../core/validate.js';
import { CheckpointError } from './safetensors.js';
import { deserialize, restore, serialize, type CheckpointContent, type CheckpointParts } from './checkpoint.js';
import { nodeFs, removeStaleTemps, tempPathFor, whyFsFailed } from './temp-files.js';

// Node-only file access for checkpoints. Writes are atomic: the bytes go to a temporary file in
// the same folder, are flushed to disk, and the temporary file is renamed over the target — a
// crash leaves either the old checkpoint or the new one, never half of one. What a crash leaves
// behind (the temporary file) is removed by the next save or load in that folder (temp-files.ts).

/** Paths of this process's writes in progress, which a cleanup must never take for debris. */
const writing = new Set<string>();

/** Writes `bytes` to `path` atomically (see above); failures are CheckpointErrors naming `owner`. */
export async function writeFileAtomic(path: string, bytes: Uint8Array, owner = 'writeFileAtomic'): Promise<void> {
  checkValue(owner, 'path', path, required(STRING));
  const { fs, dirname } = await nodeFs(owner);
  const fail = (error: unknown): never => {
    throw new CheckpointError(`${owner}: cannot write ${path}: ${whyFsFailed(error, dirname(path), 'write')}`);
  };
  // Renaming over a folder fails late; over a device (/dev/null) it would replace the device.
  const target = await fs.stat(path).catch(() => null);
  if (target?.isDirectory()) fail({ code: 'EISDIR' });
  if (target && !target.isFile()) throw new CheckpointError(`${owner}: cannot write ${path}: it exists and is not a regular file`);
  await removeStaleTemps(dirname(path), writing);
  const tmp = tempPathFor(path);
  writing.add(tmp);
  try {
    const handle = await fs.open(tmp, 'wx').catch(fail);
    try {
      await handle.writeFile(bytes).catch(fail);
      await handle.sync().catch(fail);
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path).catch(fail);
  } catch (error) {
    // The temporary file may never have been made (a missing folder): the first error is the one to tell.
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw error;
  } finally {
    writing.delete(tmp);
  }
}

/** Writes a checkpoint (.safetensors) atomically. */
export async function save(path: string, parts: CheckpointParts): Promise<void> {
  checkValue('save', 'path', path, required(STRING));
  await writeFileAtomic(path, serialize(parts), 'save');
}

/** Reads and validates a checkpoint file without applying it. */
export async function readCheckpoint(path: string, owner = 'readCheckpoint'): Promise<CheckpointContent> {
  checkValue(owner, 'path', path, required(STRING));
  const { fs, dirname } = await nodeFs(owner);
  await removeStaleTemps(dirname(path), writing);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (error) {
    throw new CheckpointError(`${owner}: cannot read checkpoint ${path}: ${whyFsFailed(error, dirname(path), 'read')}`);
  }
  return deserialize(bytes);
}

/**
 * Reads, validates and applies a checkpoint — a file path (Node) or the file's bytes (anywhere);
 * returns its content (epoch, extra state). A safetensors file without Descent's metadata, as
 * `safetensors.torch.save_file(model.state_dict(), path)` writes, loads as weights only.
 */
export async function load(source: string | Uint8Array, parts: Omit<CheckpointParts, 'epoch' | 'extra'>): Promise<CheckpointContent> {
  checkValue('load', 'source', source, required(anyOf(STRING, instanceOf(Uint8Array, 'Uint8Array'))));
  const content = typeof source === 'string' ? await readCheckpoint(source, 'load') : deserialize(source);
  restore(content, parts, 'load');
  return content;
}

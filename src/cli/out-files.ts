// The files a command writes: its output folder checked before any work, and each file written
// with a one-line error naming it (never a stack trace).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { whyFsFailed } from '../io/temp-files.js';
import { UsageError } from './errors.js';

/**
 * Checks --out before any work: a folder (created if missing) in which each of `outputs` is a
 * file or absent. A file, /dev/null, '' or a path under a file is a one-line error.
 */
export async function prepareOut(out: string, outputs: readonly string[] = []): Promise<void> {
  if (out.trim() === '') throw new UsageError("--out must name a folder, got ''");
  const found = await stat(out).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : error));
  if (found instanceof Error) throw new UsageError(`--out ${out}: ${whyFsFailed(found, out, 'write')}`);
  if (found && !found.isDirectory()) throw new UsageError(`--out ${out} exists and is not a folder`);
  await mkdir(out, { recursive: true }).catch((error) => {
    throw new UsageError(`--out ${out}: cannot create the folder: ${whyFsFailed(error, out, 'write')}`);
  });
  for (const name of outputs) {
    const inside = await stat(join(out, name)).catch(() => null);
    if (inside && !inside.isFile()) throw new UsageError(`--out ${out}: ${name} inside it exists and is not a file`);
  }
}

/** Writes one output of the run; a failure is a one-line error naming the file. */
export async function writeOutput(file: string, text: string): Promise<void> {
  await writeFile(file, text).catch((error) => {
    throw new UsageError(`cannot write ${file}: ${whyFsFailed(error, dirname(file), 'write')}`);
  });
}

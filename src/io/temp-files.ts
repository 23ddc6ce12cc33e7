import { CheckpointError } from './safetensors.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

// Temporary files of atomic writes, and the debris a killed process leaves: `<target>.tmp-<pid>-
// <time>`. A save or load removes such files in its folder when they are stale, by this rule:
//   - the name matches our pattern exactly (a target, `.tmp-`, a process id, a base-36 time), and
//     it is a regular file (never a folder or a link);
//   - the process that wrote it is gone (`kill(pid, 0)` fails with ESRCH), or it is this process
//     and not one of its writes in progress.
// A live process's file is never touched, whatever its age: a slow save of a large model on a
// loaded machine must not lose its file to a neighbour's cleanup. The cost is that debris whose
// pid was reused by a live process stays until that process ends. Process ids are per machine: on
// a folder shared by several machines a foreign pid may look dead, so such a folder should not be
// written by two machines at once (nor should it be, with or without the cleanup).

const TEMP_NAME = /^.+\.tmp-(\d{1,10})-[0-9a-z]{6,12}$/;

type NodeFs = typeof import('node:fs/promises');

/** The file modules need Node; in a page, bytes go through serialize / deserialize instead. */
export async function nodeFs(owner: string): Promise<{ fs: NodeFs; dirname: (p: string) => string; join: (...p: string[]) => string }> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new CheckpointError(`${owner} reads and writes files, which needs Node; in the browser use serialize() / deserialize() / restore() on bytes`);
  }
  const [fs, path] = await Promise.all([importNodeBuiltin<NodeFs>('node:fs/promises'), importNodeBuiltin<typeof import('node:path')>('node:path')]);
  return { fs, dirname: path.dirname, join: path.join };
}

/** A fresh temporary path beside `path` (this process's id and the time make it unique). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${(Date.now() * 1000 + Math.floor(Math.random() * 1000)).toString(36)}`;
}

/** Removes the stale temporary files of the rule above from `dir`; returns their names. */
export async function removeStaleTemps(dir: string, inProgress: ReadonlySet<string>): Promise<string[]> {
  const { fs, join } = await nodeFs('cleanup');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null) continue;
    const file = join(dir, name);
    const pid = Number(match[1]);
    if (pid === process.pid ? inProgress.has(file) : isAlive(pid)) continue;
    const stat = await fs.lstat(file).catch(() => null);
    if (!stat?.isFile()) continue;
    // Best effort: a folder we may read but not write (a load from a read-only copy) keeps its debris.
    if (await fs.rm(file, { force: true }).then(() => true, () => false)) removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A file-system error in a user's words (what is wrong with the path, not the syscall). */
export function whyFsFailed(error: unknown, dir: string, doing: 'read' | 'write'): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return doing === 'read' ? 'no such file' : `the folder ${dir} does not exist`;
    case 'ENOTDIR': return `a part of ${dir} is a file, not a folder`;
    case 'EISDIR': return 'it is a folder, expected a file path';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'the disk is full';
    case 'EROFS': return 'the file system is read-only';
    default: return (error as Error)?.message ?? String(error);
  }
}

import { vi } from 'vitest';
import { main } from '../src/cli/main.js';

/** Runs `descent …` in-process, capturing what it prints; returns the exit code and the output. */
export async function descent(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await main(['node', 'descent', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/**
 * Runs `descent …` in a fresh Node process (from the TypeScript sources, through tsx), for what
 * must be the program's first init, such as `--threads`.
 */
export async function descentProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { spawnSync } = await import('node:child_process');
  const program = "const { main } = await import('./src/cli/main.ts'); process.exit(await main(['node', 'descent', ...process.argv.slice(1)]));";
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program, ...args], {
    cwd: new URL('..', import.meta.url), encoding: 'utf8', timeout: 120_000,
  });
  return { code: child.status ?? -1, out: child.stdout, err: child.stderr };
}

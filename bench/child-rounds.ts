// Rounds served by a child process over Node's IPC channel (rounds-protocol.ts): threads need a
// heap created shared by a program's first init, and the single-threaded builds an unshared one,
// so one program cannot hold both. Measured one after the other, the two halves of a "2 threads /
// 1 thread" ratio would sit minutes apart on a shared host whose speed moves from minute to
// minute; interleaved round by round they see the same minutes. The child runs serveRounds; the
// parent forks it with forkRounds.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TimingOptions } from './train-step.js';
import { roundsClient, roundsServer, type MakeRounds, type RoundsClient, type RoundsReply, type RoundsRequest } from './rounds-protocol.js';

export async function forkRounds(script: URL, quick: boolean): Promise<RoundsClient> {
  const path = fileURLToPath(script);
  const child: ChildProcess = fork(path, ['--serve', ...(quick ? ['--quick'] : [])], {
    execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  process.once('exit', kill);
  const ask = (request: RoundsRequest): Promise<RoundsReply> => new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${path} exited (${code}) during '${request.type}'`));
    child.once('exit', onExit);
    child.once('message', (reply: RoundsReply) => {
      child.off('exit', onExit);
      resolve(reply);
    });
    child.send(request);
  });
  return roundsClient(ask, path, () => { child.disconnect(); kill(); });
}

/** The child's side: answers forkRounds's requests with the configurations `make` builds per key. */
export function serveRounds(make: MakeRounds, timing: TimingOptions): void {
  const answer = roundsServer(make, timing);
  process.on('message', (request: RoundsRequest) => void answer(request).then((reply) => process.send!(reply)));
  // The pools' workers are unref'd; the IPC channel keeps the child alive until the parent disconnects.
  process.on('disconnect', () => process.exit(0));
}

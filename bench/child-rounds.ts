// Rounds of configurations that run in a child process, taken in turn with this process's own
// (train-step.ts's interleave): threads need a heap created shared by a program's first init, and
// the single-threaded builds an unshared one, so one program cannot hold both. Measured one after
// the other, the two halves of a "2 threads / 1 thread" ratio would sit minutes apart on a shared
// host whose speed moves from minute to minute; interleaved round by round they see the same
// minutes.
//
// The child runs serveRounds; the parent forks it with forkRounds and asks, per batch size, for a
// Rounds whose warm() and round() run there.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rounds, type Config, type Rounds, type TimingOptions } from './train-step.js';

type Request = { type: 'start'; batch: number } | { type: 'warm' } | { type: 'round' } | { type: 'stop' };
type Reply = { type: 'done' } | { type: 'rates'; rates: number[] } | { type: 'stopped'; loss: number } | { type: 'error'; message: string };

/** A child process serving rounds, one batch size at a time. */
export interface RoundsChild {
  /** Sets up the child's configurations for `batch` (ending the previous batch's). */
  start(batch: number): Promise<Rounds>;
  /** Ends the current batch's configurations; returns the loss of their last step. */
  stop(): Promise<number>;
  close(): void;
}

export async function forkRounds(script: URL, quick: boolean): Promise<RoundsChild> {
  const child: ChildProcess = fork(fileURLToPath(script), ['--serve', ...(quick ? ['--quick'] : [])], {
    execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  process.once('exit', kill);
  const ask = (request: Request): Promise<Reply> => new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${fileURLToPath(script)} exited (${code}) during '${request.type}'`));
    child.once('exit', onExit);
    child.once('message', (reply: Reply) => {
      child.off('exit', onExit);
      if (reply.type === 'error') reject(new Error(`${fileURLToPath(script)}: ${reply.message}`));
      else resolve(reply);
    });
    child.send(request);
  });
  return {
    async start(batch) {
      await ask({ type: 'start', batch });
      return {
        warm: async () => void await ask({ type: 'warm' }),
        round: async () => ((await ask({ type: 'round' })) as { rates: number[] }).rates,
      };
    },
    async stop() {
      return ((await ask({ type: 'stop' })) as { loss: number }).loss;
    },
    close: () => { child.disconnect(); kill(); },
  };
}

/** The child's side: answers forkRounds's requests with the configurations `make` builds per batch. */
export function serveRounds(make: (batch: number) => Config[], timing: TimingOptions): void {
  let configs: Config[] = [];
  let current: Rounds | null = null;
  const end = (): number => {
    const loss = configs[0]?.stepper.loss() ?? NaN;
    for (const stepper of new Set(configs.map((c) => c.stepper))) stepper.dispose();
    configs = [];
    current = null;
    return loss;
  };
  const answer = async (request: Request): Promise<Reply> => {
    switch (request.type) {
      case 'start':
        end();
        configs = make(request.batch);
        current = rounds(configs, request.batch, timing);
        return { type: 'done' };
      case 'warm':
        await current!.warm();
        return { type: 'done' };
      case 'round':
        return { type: 'rates', rates: await current!.round() };
      case 'stop':
        return { type: 'stopped', loss: end() };
    }
  };
  process.on('message', (request: Request) => {
    answer(request).then(
      (reply) => process.send!(reply),
      (error: unknown) => process.send!({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) }),
    );
  });
  // The pools' workers are unref'd; the IPC channel keeps the child alive until the parent disconnects.
  process.on('disconnect', () => process.exit(0));
}

// Rounds of benchmark configurations served to another program, which takes them in turn with its
// own (train-step.ts's interleave): a child process (child-rounds.ts) or a page's Web Worker
// (browser/worker.ts, driven through Playwright by train-browser.ts). Configurations that cannot
// share a program — a shared heap for threads beside an unshared one, Node beside Chromium — are
// still measured in the same minutes of the host. Browser-safe: no Node imports.

import { rounds, type Config, type Rounds, type TimingOptions } from './train-step.js';

export type RoundsRequest = { type: 'start'; key: number } | { type: 'warm' } | { type: 'round' } | { type: 'stop' };
export type RoundsReply = { type: 'done' } | { type: 'rates'; rates: number[] } | { type: 'stopped'; loss: number } | { type: 'error'; message: string };

/** What a server makes for a key (a batch size, a row's index): its configurations and the batch they step. */
export type MakeRounds = (key: number) => { configs: Config[]; batch: number } | Promise<{ configs: Config[]; batch: number }>;

/** The server's side: answers each request, one set of configurations at a time. */
export function roundsServer(make: MakeRounds, timing: TimingOptions): (request: RoundsRequest) => Promise<RoundsReply> {
  let configs: Config[] = [];
  let current: Rounds | null = null;
  const end = (): number => {
    const loss = configs[0]?.stepper.loss() ?? NaN;
    for (const stepper of new Set(configs.map((c) => c.stepper))) stepper.dispose();
    configs = [];
    current = null;
    return loss;
  };
  const answer = async (request: RoundsRequest): Promise<RoundsReply> => {
    switch (request.type) {
      case 'start': {
        end();
        const made = await make(request.key);
        configs = made.configs;
        current = rounds(configs, made.batch, timing);
        return { type: 'done' };
      }
      case 'warm':
        await current!.warm();
        return { type: 'done' };
      case 'round':
        return { type: 'rates', rates: await current!.round() };
      case 'stop':
        return { type: 'stopped', loss: end() };
    }
  };
  return (request) => answer(request).catch((error: unknown) => ({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) }));
}

/** A server of rounds elsewhere, one key at a time. */
export interface RoundsClient {
  /** Sets up the configurations for `key` (ending the previous key's). */
  start(key: number): Promise<Rounds>;
  /** Ends the current configurations; returns the loss of their last step. */
  stop(): Promise<number>;
  close(): void | Promise<void>;
}

/** The client's side over any transport that sends a request and resolves with its reply. */
export function roundsClient(ask: (request: RoundsRequest) => Promise<RoundsReply>, where: string, close: RoundsClient['close']): RoundsClient {
  const call = async (request: RoundsRequest): Promise<RoundsReply> => {
    const reply = await ask(request);
    if (reply.type === 'error') throw new Error(`${where}: ${reply.message}`);
    return reply;
  };
  return {
    async start(key) {
      await call({ type: 'start', key });
      return {
        warm: async () => void await call({ type: 'warm' }),
        round: async () => ((await call({ type: 'round' })) as { rates: number[] }).rates,
      };
    },
    async stop() {
      return ((await call({ type: 'stop' })) as { loss: number }).loss;
    },
    close,
  };
}

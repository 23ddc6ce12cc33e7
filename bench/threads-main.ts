// The threads section as a program of its own (see bench/threads.ts for why); bench/index.ts runs
// it in a child process. Exits 1 when a target is missed.

import { FULL, QUICK } from './harness.js';
import { benchThreads } from './threads.js';

const { pass } = await benchThreads(process.argv.includes('--quick') ? QUICK : FULL);
process.exit(pass ? 0 : 1);

import { DescentError } from '../../src/core/errors.js';

/** The page's stand-in for src/cli/main.ts's UsageError (see the plugin in demo/vite.config.ts). */
export class UsageError extends DescentError {}

import { DescentError } from '../core/errors.js';

/** Thrown by a command for a bad flag or file: printed as one line, exit code 2. */
export class UsageError extends DescentError {}

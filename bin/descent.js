#!/usr/bin/env node
// The `descent` command: runs the compiled CLI (npm ci builds dist/ through the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`descent: internal error: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);

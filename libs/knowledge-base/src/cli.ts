#!/usr/bin/env node
/** Entry point of the `cios-kb` command. */
import { main } from './cli/main.js';

// A reader that stops early (`cios-kb tasks | head`) closes the pipe: that is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
import { reexecWithHeapFlags, wantsHeapFlags } from './heap-flags.js';

// `portico ports | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

if (wantsHeapFlags(process.argv, process.env)) {
  process.exitCode = await reexecWithHeapFlags(process.env);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(process.argv);
}

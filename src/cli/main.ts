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

// The command is over. A client library may still hold a socket that never finishes connecting
// (gRPC to an etcd member behind a firewall that drops packets keeps a SYN pending for minutes,
// even after the client is closed): leave on our own a moment later rather than hang. The timer
// does not keep the process alive when nothing else does.
setTimeout(() => process.exit(), 1500).unref();

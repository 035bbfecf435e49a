// What the cluster bench started, undone in reverse order: on success, on failure and on Ctrl-C.
// Every step is synchronous-safe (kill by pid, `ip netns del`, rm) so the signal handler can run
// the same list; async steps (a graceful SIGTERM and wait) are tried first by the normal path.

const steps = [];

/** Remember how to undo something; returns a function that runs (and forgets) that one step. */
export function onCleanup(name, undo) {
  const step = { name, undo, done: false };
  steps.push(step);
  return async () => {
    if (step.done) return;
    step.done = true;
    await undo();
  };
}

/** Run every remaining step, newest first; a failing step never stops the others. */
export async function cleanupAll() {
  for (const step of steps.splice(0).reverse()) {
    if (step.done) continue;
    step.done = true;
    try {
      await step.undo();
    } catch (error) {
      console.error(`cleanup ${step.name}: ${error.message}`);
    }
  }
}

/** Ctrl-C / SIGTERM / a crash: undo everything, then exit non-zero. */
export function cleanupOnSignals() {
  let exiting = false;
  const bail = (code, why) => {
    if (exiting) return;
    exiting = true;
    if (why) console.error(why);
    // Bounded: a step that hangs must not keep the machine's namespaces alive forever.
    const timer = setTimeout(() => process.exit(code), 20_000);
    timer.unref();
    void cleanupAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => bail(130, 'interrupted: cleaning up'));
  process.on('SIGTERM', () => bail(143, 'terminated: cleaning up'));
  process.on('uncaughtException', (e) => bail(1, `uncaught: ${e.stack ?? e}`));
  process.on('unhandledRejection', (e) => bail(1, `unhandled rejection: ${e?.stack ?? e}`));
}

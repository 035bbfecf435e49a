/**
 * Run `pass` once now and again after every burst of catalog changes (quiet for `debounceMs`),
 * never two at once: changes during a pass cause exactly one more. Resolves when `signal`
 * aborts and the pass under way (if any) has finished. What singleton jobs share.
 */
export async function followChanges(options: {
  signal: AbortSignal;
  /** Calls back on every catalog change; returns an unsubscribe. */
  onChange: (listener: () => void) => () => void;
  debounceMs: number;
  pass: () => Promise<void>;
}): Promise<void> {
  const { signal, debounceMs, pass } = options;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        if (signal.aborted) return;
        // A pass reports its own failures; one that throws must not end the following.
        await pass().catch(() => undefined);
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const unsubscribe = options.onChange(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), debounceMs);
  });
  try {
    await run();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    clearTimeout(timer);
    unsubscribe();
    await running;
  }
}

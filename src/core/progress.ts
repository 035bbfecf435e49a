import type { Output } from './output.js';

export interface Progress {
  /** Replace the status text (e.g. "probing 3/10: auth-service"). */
  update(text: string): void;
  /** Clear the status line. Safe to call more than once. */
  done(): void;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line live status on stderr, shown only on a terminal: pipes, CI logs and --json output
 * never see spinner frames.
 */
export function startProgress(out: Output, initial: string, intervalMs = 80): Progress {
  const stderrIsTTY = Boolean((process.stderr as NodeJS.WriteStream).isTTY);
  if (!out.interactive || !stderrIsTTY) return { update: () => {}, done: () => {} };
  let text = initial;
  let frame = 0;
  let stopped = false;
  const draw = (): void => {
    out.writeStderr(`\r\x1b[2K${out.c.cyan(frames[frame++ % frames.length]!)} ${text}`);
  };
  draw();
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return {
    update(next) {
      text = next;
    },
    done() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      out.writeStderr('\r\x1b[2K');
    },
  };
}

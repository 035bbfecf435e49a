/** Where and how one receiver is posted to; secrets already read from the environment. */
export interface DeliveryTarget {
  /** The receiver's name: the only thing logs say about it (its URL may be a secret). */
  name: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
}

export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  /** The last HTTP status, or the connection error's code ('ECONNREFUSED', 'timeout'). */
  last: string;
}

export interface DeliveryOptions {
  signal: AbortSignal;
  /** What the log line calls this message ("firing api-down:web-1"). */
  what: string;
  warn: (message: string) => void;
  /** For tests: 0 ≤ random() < 1 picks the jitter. */
  random?: () => number;
}

const maxBackoffMs = 300_000;
const stopping = 'agent stopping';

/**
 * POST one JSON body, retrying what may pass on a second try (connection errors, timeouts, 5xx,
 * 408, 429) with exponential backoff and jitter, at most `attempts` times, each attempt bounded
 * by `timeoutMs`. Never throws; redirects are not followed (a body with alert details is not
 * sent to an address the user did not write down). Logs name the receiver, never its URL.
 */
export async function deliver(
  target: DeliveryTarget,
  body: unknown,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const text = JSON.stringify(body);
  const random = options.random ?? Math.random;
  let last = 'not sent';
  for (let attempt = 1; attempt <= target.attempts; attempt++) {
    if (options.signal.aborted) return { ok: false, attempts: attempt - 1, last: stopping };
    const result = await attemptOnce(target, text, options.signal);
    last = result.last;
    if (result.ok) return { ok: true, attempts: attempt, last };
    if (options.signal.aborted) return { ok: false, attempts: attempt, last: stopping };
    if (!result.retry) {
      // A 4xx (other than 408/429) will not pass on a second try: the URL or the token is wrong.
      options.warn(`alerts: receiver "${target.name}" refused ${options.what} (${last}); not retried`);
      return { ok: false, attempts: attempt, last };
    }
    if (attempt === target.attempts) break;
    // Equal jitter: half the doubled delay fixed, half random, so receivers coming back are not hit in step.
    const base = Math.min(maxBackoffMs, target.backoffMs * 2 ** (attempt - 1));
    const delay = Math.round(base / 2 + (random() * base) / 2);
    options.warn(
      `alerts: receiver "${target.name}": ${options.what} failed (${last}) on attempt ${attempt}/${target.attempts}, retrying in ${delay}ms`,
    );
    if (!(await sleep(delay, options.signal))) return { ok: false, attempts: attempt, last: stopping };
  }
  options.warn(
    `alerts: receiver "${target.name}": gave up on ${options.what} after ${target.attempts} attempt(s) (last: ${last})`,
  );
  return { ok: false, attempts: target.attempts, last };
}

async function attemptOnce(
  target: DeliveryTarget,
  text: string,
  stop: AbortSignal,
): Promise<{ ok: boolean; retry: boolean; last: string }> {
  const timeout = AbortSignal.timeout(target.timeoutMs);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/json', 'user-agent': 'portico-agent' },
      body: text,
      redirect: 'manual',
      signal: AbortSignal.any([stop, timeout]),
    });
    // Drain (bounded by the same signal) so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    const last = `HTTP ${res.status}`;
    if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, last };
    return { ok: false, retry: res.status >= 500 || res.status === 408 || res.status === 429, last };
  } catch (error) {
    if (timeout.aborted && !stop.aborted)
      return { ok: false, retry: true, last: `no answer within ${target.timeoutMs}ms` };
    return { ok: false, retry: !stop.aborted, last: failureCode(error) };
  }
}

/** The connection error's code, never its message (undici's may carry the URL). */
function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : ((error as Error)?.name ?? 'error');
}

/** Wait, or return false at once when the agent stops. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

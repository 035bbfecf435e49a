import type { RetryPolicy } from './model.js';

/**
 * Retries may add at most `budgetPercent` of the request rate, with a floor of `minPerSecond`,
 * so a failing upstream cannot turn every request into three (a retry storm).
 */
export class RetryBudget {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly policy: RetryPolicy) {
    this.tokens = policy.minPerSecond;
  }

  /** Every request earns a fraction of a retry. */
  onRequest(): void {
    this.tokens = Math.min(this.tokens + this.policy.budgetPercent / 100, this.cap());
  }

  /** Take one retry if the budget allows. */
  tryRetry(now = Date.now()): boolean {
    const elapsed = (now - this.last) / 1000;
    if (elapsed > 0) {
      this.tokens = Math.min(this.tokens + elapsed * this.policy.minPerSecond, this.cap());
      this.last = now;
    }
    if (this.policy.attempts === 0 || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private cap(): number {
    return Math.max(this.policy.minPerSecond, 100);
  }
}

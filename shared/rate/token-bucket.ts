/**
 * A token bucket: holds at most `burst` tokens, refilled at `perSecond`; each `take` spends one.
 * Time is passed in (the caller's Clock), so the bucket is pure and testable.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Spends one token; false when the bucket is empty (the caller is over its rate). */
  take(now: number): boolean {
    // A clock stepping back must not mint tokens, nor lock the peer out.
    const elapsed = Math.max(0, now - this.at);
    this.at = Math.max(this.at, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds from `now` until `take` can succeed (0 when it can now). */
  waitMs(now: number): number {
    const elapsed = Math.max(0, now - this.at);
    const tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.perSecond);
  }
}

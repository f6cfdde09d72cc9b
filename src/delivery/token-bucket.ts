/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. Pure state over an injected
 * clock (`now`, epoch ms), so that it is tested as a table.
 * @see https://en.wikipedia.org/wiki/Token_bucket
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private ratePerSecond: number,
    private burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Changes the rate (the account's setting changed); tokens saved so far are kept up to the new burst. */
  setRate(ratePerSecond: number, burst: number, now: number): void {
    if (ratePerSecond === this.ratePerSecond && burst === this.burst) return;
    this.refill(now);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Takes one token: 0 when granted, otherwise how many ms until one is available (nothing is taken). */
  take(now: number): number {
    const wait = this.waitMs(now);
    if (wait === 0) this.tokens -= 1;
    return wait;
  }

  /** How many ms until a token is available (0: one is), taking nothing. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
  }

  private refill(now: number): void {
    if (now > this.at) this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.ratePerSecond);
    this.at = Math.max(this.at, now);
  }
}

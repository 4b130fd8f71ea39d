package io.unitcell.router.limit;

/**
 * A token bucket: {@code rate} tokens a second up to {@code burst}; one request takes one token.
 * Refilled lazily from the clock, so an idle bucket costs nothing.
 */
public final class TokenBucket {

  private final double tokensPerNano;
  private final double burst;
  private double tokens;
  private long last;

  public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
    if (ratePerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "a token bucket needs a rate above 0 and a burst of at least 1, got rate "
              + ratePerSecond
              + " burst "
              + burst);
    }
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes a token when one is there. */
  public synchronized boolean tryTake(long nowNanos) {
    if (nowNanos > last) {
      tokens = Math.min(burst, tokens + (nowNanos - last) * tokensPerNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Whether the bucket has been full since {@code nowNanos} at the latest (forgetting it loses
   * nothing).
   */
  public synchronized boolean isFullAt(long nowNanos) {
    return tokens + (nowNanos - last) * tokensPerNano >= burst;
  }

  /** Seconds until the next token, rounded up (for {@code Retry-After}). */
  public synchronized long secondsToNextToken() {
    return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano / 1e9));
  }
}

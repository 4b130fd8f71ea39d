package io.unitcell.router.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  static final long SECOND = 1_000_000_000L;

  @Test
  void aFullBucketGivesItsBurstThenRefillsAtTheRate() {
    TokenBucket bucket = new TokenBucket(10, 5, 0);
    int taken = 0;
    while (bucket.tryTake(0)) {
      taken++;
    }
    assertThat(taken).isEqualTo(5);
    assertThat(bucket.tryTake(SECOND / 20)).isFalse(); // half a token
    assertThat(bucket.tryTake(SECOND / 10)).isTrue();
    assertThat(bucket.tryTake(SECOND / 10)).isFalse();
    // a long pause refills only up to the burst
    int afterPause = 0;
    while (bucket.tryTake(100 * SECOND)) {
      afterPause++;
    }
    assertThat(afterPause).isEqualTo(5);
  }

  @Test
  void aClockGoingBackDoesNotAddTokens() {
    TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
    assertThat(bucket.tryTake(10 * SECOND)).isTrue();
    assertThat(bucket.tryTake(5 * SECOND)).isFalse();
    assertThat(bucket.tryTake(11 * SECOND)).isTrue();
  }
}

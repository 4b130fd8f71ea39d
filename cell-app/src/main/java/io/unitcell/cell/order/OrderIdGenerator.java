package io.unitcell.cell.order;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Makes {@link OrderId}s: lock-free, 64 ids per millisecond per instance; when a millisecond's
 * sequence runs out, or the clock steps back, ids borrow from the next millisecond, so they never
 * repeat and never go backwards within this instance.
 */
public final class OrderIdGenerator {

  private final LongSupplier clock;
  // (milliseconds << SEQUENCE_BITS) | sequence of the last id handed out
  private final AtomicLong last = new AtomicLong();

  public OrderIdGenerator(LongSupplier epochMillisClock) {
    this.clock = epochMillisClock;
  }

  public OrderIdGenerator() {
    this(System::currentTimeMillis);
  }

  /** A fresh id for a user in {@code slot}. */
  public OrderId next(int slot) {
    long now = clock.getAsLong() << OrderId.SEQUENCE_BITS;
    long stamp = last.accumulateAndGet(now, (previous, current) -> Math.max(previous + 1, current));
    return OrderId.of(stamp >>> OrderId.SEQUENCE_BITS, slot, (int) (stamp & OrderId.MAX_SEQUENCE));
  }
}

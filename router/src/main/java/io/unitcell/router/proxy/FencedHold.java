package io.unitcell.router.proxy;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes waiting for a fenced cell (like vtgate's buffering during a reparent): bounded in number
 * and, by each exchange's timer, in time. A newer table wakes every waiting write on its own event
 * loop, which sends it or lets it wait on.
 */
final class FencedHold {

  private final int max;
  private final AtomicInteger held = new AtomicInteger();
  private final Queue<Exchange> waiting = new ConcurrentLinkedQueue<>();

  FencedHold(int max) {
    this.max = max;
  }

  /** Takes a place for {@code exchange}; false when all places are taken. */
  boolean tryHold(Exchange exchange) {
    if (held.incrementAndGet() > max) {
      held.decrementAndGet();
      return false;
    }
    waiting.add(exchange);
    return true;
  }

  /** Gives the place back (called once, by the exchange that holds it). */
  void release(Exchange exchange) {
    if (waiting.remove(exchange)) {
      held.decrementAndGet();
    }
  }

  int held() {
    return held.get();
  }

  /** A newer table applied: each waiting write looks again. */
  void tableApplied() {
    for (Exchange exchange : waiting) {
      exchange.onLoop(exchange::recheckHold);
    }
  }
}

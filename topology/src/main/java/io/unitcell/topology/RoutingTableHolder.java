package io.unitcell.topology;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The newest routing table this process has seen. Epochs only move forward: a table that is not
 * newer than the one held is ignored, so a stale ConfigMap or file can never undo a fence.
 */
public final class RoutingTableHolder {

  private final AtomicReference<RoutingTable> current = new AtomicReference<>();

  /** The table held, or null before the first one arrived. */
  public RoutingTable current() {
    return current.get();
  }

  /** The epoch held, or -1 before the first table. */
  public long epoch() {
    RoutingTable table = current.get();
    return table == null ? -1 : table.epoch();
  }

  /**
   * Offers a table.
   *
   * @return true when it was newer and is now held
   */
  public boolean offer(RoutingTable table) {
    RoutingTable previous;
    do {
      previous = current.get();
      if (!table.isNewerThan(previous)) {
        return false;
      }
    } while (!current.compareAndSet(previous, table));
    return true;
  }
}

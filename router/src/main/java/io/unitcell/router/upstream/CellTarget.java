package io.unitcell.router.upstream;

import io.unitcell.router.metrics.RouterMetrics.CellMeters;
import io.unitcell.topology.CellState;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cell as the proxy sees it under one table: its state, its endpoints in the active zone (shared
 * with other tables, so their health carries over) and its meters.
 */
public final class CellTarget {

  private final String name;
  private final CellState state;
  private final Endpoint[] endpoints;
  private final CellMeters meters;
  private final AtomicInteger next = new AtomicInteger();

  public CellTarget(String name, CellState state, Endpoint[] endpoints, CellMeters meters) {
    this.name = name;
    this.state = state;
    this.endpoints = endpoints;
    this.meters = meters;
  }

  public String name() {
    return name;
  }

  public CellState state() {
    return state;
  }

  public CellMeters meters() {
    return meters;
  }

  public Endpoint[] endpoints() {
    return endpoints;
  }

  /**
   * The next endpoint in turn that is usable and not {@code avoid}; when none is usable, the next
   * one other than {@code avoid} anyway (better a try than certain failure); null when there is no
   * other endpoint.
   */
  public Endpoint pick(long nowNanos, Endpoint avoid) {
    int count = endpoints.length;
    if (count == 0) {
      return null;
    }
    int start = count == 1 ? 0 : (next.getAndIncrement() & Integer.MAX_VALUE) % count;
    Endpoint fallback = null;
    for (int i = 0; i < count; i++) {
      Endpoint endpoint = endpoints[(start + i) % count];
      if (endpoint == avoid) {
        continue;
      }
      if (endpoint.isUsable(nowNanos)) {
        return endpoint;
      }
      if (fallback == null) {
        fallback = endpoint;
      }
    }
    return fallback;
  }
}

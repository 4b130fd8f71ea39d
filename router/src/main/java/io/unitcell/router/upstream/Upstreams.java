package io.unitcell.router.upstream;

import io.unitcell.router.metrics.RouterMetrics;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.RoutingTable;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the proxy routes by: for each slot of the table in use, the cell owning it, ready to use.
 * Rebuilt whenever a newer table applies; endpoints keep their health across tables.
 */
public final class Upstreams {

  /** One table, resolved: slot to cell target, and the epoch as a ready header value. */
  public record Routing(RoutingTable table, CellTarget[] bySlot, String epochText) {
    public CellTarget cellOfSlot(int slot) {
      return bySlot[slot];
    }
  }

  private final RouterMetrics metrics;
  private final int ejectAfter;
  private final long ejectNanos;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private volatile Routing routing;

  public Upstreams(RouterMetrics metrics, int ejectAfter, long ejectNanos) {
    this.metrics = metrics;
    this.ejectAfter = ejectAfter;
    this.ejectNanos = ejectNanos;
  }

  /** The routing in use, or null before the first table. */
  public Routing routing() {
    return routing;
  }

  /** Every endpoint of the table in use (for the health checks). */
  public Collection<Endpoint> endpoints() {
    return endpoints.values();
  }

  /** Whether {@code endpoint} belongs to the table in use. */
  public boolean isInUse(Endpoint endpoint) {
    return endpoints.get(endpoint.address()) == endpoint;
  }

  /** Switches to a newer table. */
  public synchronized void apply(RoutingTable table) {
    Map<String, CellTarget> cells = new HashMap<>();
    Map<String, Endpoint> inUse = new HashMap<>();
    table.cells().forEach((name, route) -> cells.put(name, target(name, route, inUse)));
    endpoints.keySet().retainAll(inUse.keySet());
    endpoints.putAll(inUse);
    CellTarget[] bySlot = new CellTarget[table.slotCount()];
    for (int slot = 0; slot < bySlot.length; slot++) {
      bySlot[slot] = cells.get(table.cellOfSlot(slot));
    }
    routing = new Routing(table, bySlot, Long.toString(table.epoch()));
  }

  private CellTarget target(String name, CellRoute route, Map<String, Endpoint> inUse) {
    List<String> addresses = route.endpoints();
    Endpoint[] resolved = new Endpoint[addresses.size()];
    for (int i = 0; i < resolved.length; i++) {
      String address = addresses.get(i);
      Endpoint endpoint = endpoints.get(address);
      if (endpoint == null) {
        endpoint = inUse.get(address);
      }
      if (endpoint == null) {
        endpoint = new Endpoint(address, ejectAfter, ejectNanos);
      }
      inUse.put(address, endpoint);
      resolved[i] = endpoint;
    }
    return new CellTarget(name, route.state(), resolved, metrics.cell(name));
  }
}

package io.unitcell.router.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.unitcell.router.upstream.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one event loop owns: its connection pools to the cells' endpoints, and a sweep every 100 ms
 * that times out requests past their budget and closes connections idle too long. Only its own
 * thread touches it.
 */
final class Loop {

  private static final FastThreadLocal<Loop> CURRENT = new FastThreadLocal<>();
  private static final long SWEEP_MILLIS = 100;

  final EventLoop eventLoop;
  final Proxy proxy;
  final Transport transport;
  private final Map<Endpoint, EndpointPool> pools = new HashMap<>();

  private Loop(EventLoop eventLoop, Proxy proxy, Transport transport) {
    this.eventLoop = eventLoop;
    this.proxy = proxy;
    this.transport = transport;
    eventLoop.scheduleWithFixedDelay(
        this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The loop state of {@code eventLoop}, made on first use (called on that loop's thread). */
  static Loop of(EventLoop eventLoop, Proxy proxy, Transport transport) {
    Loop loop = CURRENT.get();
    if (loop == null) {
      loop = new Loop(eventLoop, proxy, transport);
      CURRENT.set(loop);
    }
    return loop;
  }

  EndpointPool pool(Endpoint endpoint) {
    EndpointPool pool = pools.get(endpoint);
    if (pool == null) {
      pool = new EndpointPool(this, endpoint);
      pools.put(endpoint, pool);
    }
    return pool;
  }

  private void sweep() {
    long now = System.nanoTime();
    List<Endpoint> gone = null;
    for (EndpointPool pool : pools.values()) {
      pool.sweep(now);
      if (pool.isEmpty() && !proxy.upstreams.isInUse(pool.endpoint())) {
        if (gone == null) {
          gone = new ArrayList<>();
        }
        gone.add(pool.endpoint());
      }
    }
    if (gone != null) {
      gone.forEach(pools::remove);
    }
  }
}

package io.unitcell.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The router's Prometheus metrics. Meters are created once per cell (and reason) and kept, so a
 * request records into ready meters without a registry lookup.
 *
 * <ul>
 *   <li>{@code unitcell_router_requests_seconds{cell,route}}: latency histogram (TP99/TP999 with
 *       {@code histogram_quantile}; client-side quantiles cost 3 % of the proxy's CPU, and cannot
 *       be added up over routers)
 *   <li>{@code unitcell_router_responses_total{cell,route,code}}: by status class (2xx ... 5xx)
 *   <li>{@code unitcell_router_rejections_total{cell,reason}}: refused by the router itself
 *   <li>{@code unitcell_router_upstream_failures_total{cell,kind}}: connect, timeout, broken, busy
 *   <li>{@code unitcell_router_retries_total{cell,reason}}, {@code
 *       unitcell_router_ejections_total{cell}}
 *   <li>{@code unitcell_router_table_epoch}, {@code unitcell_router_table_updates_total{result}},
 *       {@code unitcell_router_fenced_held}
 * </ul>
 */
public final class RouterMetrics {

  /** Label for rejections that happen before the cell is known. */
  public static final String NO_CELL = "none";

  private static final RouteClass[] ROUTES = RouteClass.values();
  private static final String[] CODES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  private final Map<String, CellMeters> cells = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong(-1);

  public RouterMetrics(MeterRegistry registry, Supplier<Number> fencedHeld) {
    this.registry = direct(registry);
    Gauge.builder("unitcell.router.table.epoch", epoch, AtomicLong::get)
        .description("Epoch of the routing table in use")
        .register(registry);
    Gauge.builder("unitcell.router.fenced.held", fencedHeld)
        .description("Writes to fenced cells held right now")
        .register(registry);
  }

  /**
   * The registry to record on: the only member of a composite (Quarkus injects one holding the
   * Prometheus registry), which saves a layer on every record (2 % of the event loop in a profile).
   */
  static MeterRegistry direct(MeterRegistry registry) {
    if (registry instanceof CompositeMeterRegistry composite
        && composite.getRegistries().size() == 1) {
      return composite.getRegistries().iterator().next();
    }
    return registry;
  }

  /** The meters of one cell. */
  public CellMeters cell(String cell) {
    CellMeters meters = cells.get(cell);
    return meters != null ? meters : cells.computeIfAbsent(cell, c -> new CellMeters(registry, c));
  }

  public void tableEpoch(long applied) {
    epoch.set(applied);
  }

  public void tableUpdate(String result) {
    counter("unitcell.router.table.updates", "result", result).increment();
  }

  public void rejected(String cell, String reason) {
    counter("unitcell.router.rejections", "cell", cell, "reason", reason).increment();
  }

  public void upstreamFailure(String cell, String kind) {
    counter("unitcell.router.upstream.failures", "cell", cell, "kind", kind).increment();
  }

  public void retry(String cell, String reason) {
    counter("unitcell.router.retries", "cell", cell, "reason", reason).increment();
  }

  public void ejected(String cell) {
    counter("unitcell.router.ejections", "cell", cell).increment();
  }

  private Counter counter(String name, String... tags) {
    String key = name + String.join(",", tags);
    Counter counter = counters.get(key);
    return counter != null
        ? counter
        : counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
  }

  /** Latency and response meters of one cell, by route; response counters appear when used. */
  public static final class CellMeters {
    private final MeterRegistry registry;
    private final String cell;
    private final Timer[] timers = new Timer[ROUTES.length];
    private final Counter[][] responses = new Counter[ROUTES.length][CODES.length];

    CellMeters(MeterRegistry registry, String cell) {
      this.registry = registry;
      this.cell = cell;
      for (RouteClass route : ROUTES) {
        timers[route.ordinal()] =
            Timer.builder("unitcell.router.requests")
                .description("Time from a request's arrival to its response, by cell and route")
                .tags("cell", cell, "route", route.label())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
      }
    }

    public void record(RouteClass route, int status, long nanos) {
      timers[route.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
      int code = Math.max(0, Math.min(4, status / 100 - 1));
      Counter counter = responses[route.ordinal()][code];
      if (counter == null) {
        // registering twice returns the same counter, so a race here is harmless
        counter =
            Counter.builder("unitcell.router.responses")
                .tags("cell", cell, "route", route.label(), "code", CODES[code])
                .register(registry);
        responses[route.ordinal()][code] = counter;
      }
      counter.increment();
    }
  }
}

package io.unitcell.cell.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Cache reads by outcome ({@code unitcell_cache_reads_total{result=...}}) and the hit ratio since
 * start ({@code unitcell_cache_hit_ratio}); for a recent ratio use the counters' rates.
 */
// created at start-up so that its metrics exist before the first request
@Startup
@ApplicationScoped
public class CacheStats {

  /** How a read was answered. */
  public enum Result {
    /** from this instance's hot-key tier */
    LOCAL_HIT,
    /** from Infinispan */
    REMOTE_HIT,
    /** loaded from the database */
    MISS,
    /** the cache failed or its breaker was open: loaded from the database */
    ERROR,
    /** the cache switch is off or invalidations are pending: loaded from the database */
    BYPASSED
  }

  private final Map<Result, Counter> counters = new EnumMap<>(Result.class);

  public CacheStats(MeterRegistry registry) {
    for (Result result : Result.values()) {
      counters.put(
          result,
          Counter.builder("unitcell.cache.reads")
              .description("Cached reads (orders and first pages) by outcome")
              .tag("result", result.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    Gauge.builder("unitcell.cache.hit.ratio", this, CacheStats::hitRatio)
        .description("Share of cached reads answered by a cache tier since start")
        .register(registry);
  }

  public void record(Result result) {
    counters.get(result).increment();
  }

  public double count(Result result) {
    return counters.get(result).count();
  }

  double hitRatio() {
    double hits = count(Result.LOCAL_HIT) + count(Result.REMOTE_HIT);
    double all = 0;
    for (Counter counter : counters.values()) {
      all += counter.count();
    }
    return all == 0 ? 0 : hits / all;
  }
}

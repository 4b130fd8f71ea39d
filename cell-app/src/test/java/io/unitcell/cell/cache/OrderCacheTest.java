package io.unitcell.cell.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.unitcell.cell.cache.CacheStats.Result;
import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.cache.OrderCache.Loaded;
import io.unitcell.cell.degrade.Switches;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The cache-aside rules against a shared tier that can be cut off while it keeps its data (a
 * partition, not a restart): stale entries must never be served afterwards.
 */
class OrderCacheTest {

  /** A shared tier in a map, which can be made unreachable. */
  static final class PartitionableTier implements RemoteTier {
    final Map<String, String> entries = new ConcurrentHashMap<>();
    volatile boolean partitioned;

    private void reachable() {
      if (partitioned) {
        throw new CacheUnavailableException("partitioned", null);
      }
    }

    @Override
    public String get(String key) {
      reachable();
      return entries.get(key);
    }

    @Override
    public void putIfAbsent(String key, String value, Duration lifespan) {
      reachable();
      entries.putIfAbsent(key, value);
    }

    @Override
    public void remove(String key) {
      reachable();
      entries.remove(key);
    }

    @Override
    public void removeAll(List<String> keys) {
      reachable();
      keys.forEach(entries::remove);
    }

    @Override
    public void clear() {
      reachable();
      entries.clear();
    }
  }

  final PartitionableTier tier = new PartitionableTier();
  final Switches switches = new Switches(true, true, true, true);
  final CacheStats stats = new CacheStats(new SimpleMeterRegistry());
  // a local tier of size 0: Caffeine evicts asynchronously, so a hit may still come from either
  final OrderCache cache =
      new OrderCache(
          tier,
          switches,
          stats,
          Duration.ofMinutes(10),
          Duration.ofSeconds(30),
          Duration.ofMillis(500),
          0,
          Duration.ofSeconds(1));
  final AtomicReference<String> database = new AtomicReference<>("CREATED");
  final AtomicInteger loads = new AtomicInteger();

  double hits() {
    return stats.count(Result.LOCAL_HIT) + stats.count(Result.REMOTE_HIT);
  }

  String read() {
    return cache.read(
        "order:1:u",
        () -> {
          loads.incrementAndGet();
          return Loaded.of(database.get());
        });
  }

  void write(String status) {
    database.set(status);
    cache.invalidate("order:1:u");
  }

  @Test
  void loadsOnceThenServesFromTheCacheUntilAWriteInvalidates() {
    assertThat(read()).isEqualTo("CREATED");
    assertThat(read()).isEqualTo("CREATED");
    assertThat(loads).hasValue(1);
    write("PAID");
    assertThat(read()).isEqualTo("PAID");
    assertThat(loads).hasValue(2);
    assertThat(hits()).isEqualTo(1);
  }

  @Test
  void cachesNothingFoundBriefly() {
    database.set(null);
    assertThat(read()).isNull();
    assertThat(read()).isNull();
    assertThat(loads).hasValue(1);
    assertThat(tier.entries).containsEntry("order:1:u", "");
  }

  @Test
  void neverServesWhatAFailedInvalidationLeftBehind() {
    read(); // CREATED is cached
    tier.partitioned = true;
    write("PAID"); // the invalidation cannot get through; the stale entry stays in the tier
    assertThat(read()).isEqualTo("PAID");
    assertThat(cache.pendingInvalidations()).isEqualTo(1);

    tier.partitioned = false; // reachable again, still holding CREATED
    assertThat(tier.entries).containsEntry("order:1:u", "CREATED");
    assertThat(read()).as("bypasses the tier until invalidations are through").isEqualTo("PAID");
    assertThat(stats.count(Result.BYPASSED))
        .isEqualTo(2); // both reads since the failed invalidation

    cache.retryInvalidations();
    assertThat(cache.pendingInvalidations()).isZero();
    assertThat(read()).isEqualTo("PAID");
    assertThat(read()).isEqualTo("PAID");
    assertThat(hits()).isEqualTo(1);
  }

  @Test
  void theSecondInvalidationUndoesAFillThatRacedTheWrite() {
    // a reader loads the old row, the writer commits and invalidates, then the reader fills
    String old = database.get();
    write("PAID");
    tier.putIfAbsent("order:1:u", old, Duration.ofMinutes(10));
    cache.invalidateAgain(List.of("order:1:u"));
    assertThat(read()).isEqualTo("PAID");
  }

  @Test
  void theSwitchSendsEveryReadToTheDatabase() {
    switches.set(Switches.Switch.CACHE, false);
    read();
    read();
    assertThat(loads).hasValue(2);
    assertThat(tier.entries).isEmpty();
    assertThat(stats.count(Result.BYPASSED)).isEqualTo(2);
  }
}

package io.unitcell.cell.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.unitcell.cell.cache.CacheStats.Result;
import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.degrade.Switches;
import io.unitcell.cell.degrade.Switches.Switch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Cache-aside for the read side of orders ({@code GET /orders/{id}} and the first page of a user's
 * orders), as JSON ready to send:
 *
 * <ul>
 *   <li>a small local tier (Caffeine, W-TinyLFU admission keeps the hottest keys, entries live
 *       {@code unitcell.cache.local.ttl}), then Infinispan, then the database;
 *   <li>nothing found is cached too, as an empty value for {@code unitcell.cache.null-ttl}, so
 *       probing unknown ids does not reach the database every time (penetration);
 *   <li>writers invalidate after their commit, and once more {@code unitcell.cache.second-delete}
 *       later: a reader that loaded the old row before the commit and filled the cache after the
 *       first delete is undone by the second;
 *   <li>a failed invalidation is remembered and retried; until every one has gone through, reads
 *       bypass Infinispan (they would risk stale data); the cache failing or being switched off
 *       degrades reads to the database, never to an error.
 * </ul>
 */
@ApplicationScoped
public class OrderCache {

  private static final Logger LOG = Logger.getLogger(OrderCache.class);
  private static final String ABSENT = "";
  private static final int MAX_PENDING = 100_000;

  /** What a loader found: the JSON (null when nothing) and whether it may be cached. */
  public record Loaded(String json, boolean cacheable) {
    public static Loaded of(String json) {
      return new Loaded(json, true);
    }

    /** A transient answer (e.g. an order still in the flash-sale pipeline): not cached. */
    public static Loaded transientValue(String json) {
      return new Loaded(json, false);
    }
  }

  private final RemoteTier remote;
  private final Switches switches;
  private final CacheStats stats;
  private final Duration ttl;
  private final Duration nullTtl;
  private final Duration secondDelete;
  private final Cache<String, String> local;
  private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
  private volatile boolean invalidationsOverflowed;
  private ScheduledExecutorService scheduler;

  public OrderCache(
      RemoteTier remote,
      Switches switches,
      CacheStats stats,
      @ConfigProperty(name = "unitcell.cache.ttl") Duration ttl,
      @ConfigProperty(name = "unitcell.cache.null-ttl") Duration nullTtl,
      @ConfigProperty(name = "unitcell.cache.second-delete") Duration secondDelete,
      @ConfigProperty(name = "unitcell.cache.local.size") int localSize,
      @ConfigProperty(name = "unitcell.cache.local.ttl") Duration localTtl) {
    this.remote = remote;
    this.switches = switches;
    this.stats = stats;
    this.ttl = ttl;
    this.nullTtl = nullTtl;
    this.secondDelete = secondDelete;
    this.local = Caffeine.newBuilder().maximumSize(localSize).expireAfterWrite(localTtl).build();
  }

  void start(@Observes StartupEvent event) {
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "cache-invalidation");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(this::retryInvalidations, 1, 1, TimeUnit.SECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  /** The key of one order of one user. */
  public static String orderKey(String userId, long orderId) {
    return "order:" + orderId + ":" + userId;
  }

  /** The key of the first page of a user's orders. */
  public static String firstPageKey(String userId) {
    return "page:" + userId;
  }

  /** The JSON under {@code key}, from a cache tier or from {@code loader}; null when none. */
  public String read(String key, Supplier<Loaded> loader) {
    if (!switches.isOn(Switch.CACHE)) {
      stats.record(Result.BYPASSED);
      return loader.get().json();
    }
    String cached = local.getIfPresent(key);
    if (cached != null) {
      stats.record(Result.LOCAL_HIT);
      return present(cached);
    }
    if (!pendingInvalidations.isEmpty() || invalidationsOverflowed) {
      stats.record(Result.BYPASSED);
      return loader.get().json();
    }
    try {
      cached = remote.get(key);
    } catch (CacheUnavailableException e) {
      stats.record(Result.ERROR);
      LOG.debugf("cache read degraded to the database: %s", e.getMessage());
      return loader.get().json();
    }
    if (cached != null) {
      stats.record(Result.REMOTE_HIT);
      local.put(key, cached);
      return present(cached);
    }
    stats.record(Result.MISS);
    Loaded loaded = loader.get();
    if (loaded.cacheable()) {
      fill(key, loaded.json());
    }
    return loaded.json();
  }

  /** Drops these keys everywhere; call after the commit that changed what they show. */
  public void invalidate(String... keys) {
    List<String> all = List.of(keys);
    local.invalidateAll(all);
    removeAll(all);
    if (scheduler != null && !secondDelete.isZero()) {
      scheduler.schedule(
          () -> invalidateAgain(all), secondDelete.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The delayed second invalidation. */
  void invalidateAgain(List<String> keys) {
    local.invalidateAll(keys);
    removeAll(keys);
  }

  /** Number of invalidations still to be sent to Infinispan. */
  public int pendingInvalidations() {
    return pendingInvalidations.size();
  }

  private void fill(String key, String json) {
    String value = json == null ? ABSENT : json;
    Duration lifespan = json == null ? nullTtl : ttl;
    local.put(key, value);
    try {
      // never overwrite: a writer's invalidation may have come between our load and this fill
      remote.putIfAbsent(key, value, lifespan);
    } catch (CacheUnavailableException e) {
      LOG.debugf("cache fill skipped: %s", e.getMessage());
    }
  }

  private void removeAll(List<String> keys) {
    try {
      remote.removeAll(keys);
    } catch (CacheUnavailableException e) {
      if (pendingInvalidations.size() + keys.size() <= MAX_PENDING) {
        pendingInvalidations.addAll(keys);
      } else {
        invalidationsOverflowed = true;
      }
    }
  }

  /** Sends the invalidations that failed before; runs every second. */
  void retryInvalidations() {
    try {
      if (invalidationsOverflowed) {
        // too many to remember: everything cached may be stale
        remote.clear();
        pendingInvalidations.clear();
        invalidationsOverflowed = false;
        LOG.warn("cache cleared after more invalidations failed than could be remembered");
        return;
      }
      for (String key : Set.copyOf(pendingInvalidations)) {
        remote.remove(key);
        pendingInvalidations.remove(key);
      }
    } catch (CacheUnavailableException e) {
      LOG.debugf(
          "%d cache invalidations still pending: %s", pendingInvalidations.size(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("retrying cache invalidations failed", e);
    }
  }

  private static String present(String cached) {
    return ABSENT.equals(cached) ? null : cached;
  }
}

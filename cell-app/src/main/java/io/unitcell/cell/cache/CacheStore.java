package io.unitcell.cell.cache;

import io.quarkus.runtime.StartupEvent;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.infinispan.client.hotrod.Flag;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.jboss.logging.Logger;

/**
 * Every call to the cell's Infinispan goes through here: one time budget per call, far below the
 * request's (the Hot Rod client does not retry; its own socket time-out is longer, for creating the
 * caches at start-up), and one circuit breaker for the whole cache, so that a dead or slow cache
 * costs the callers nothing after a few failures. Failures surface as {@link
 * CacheUnavailableException}; callers degrade (reads go to the database) or refuse (flash sales),
 * never pretend.
 *
 * <p>The guard is programmatic (a SmallRye {@code Guard}) and the only one of cache calls: its
 * budget and breaker delay are the cell's duration settings {@code unitcell.cache.timeout} and
 * {@code unitcell.cache.breaker-delay}, and one breaker covers every call of every class
 * (annotations give each method its own); no cache call carries fault-tolerance annotations.
 */
@ApplicationScoped
public class CacheStore {

  /** The circuit breaker's name, for health and metrics. */
  public static final String BREAKER = "infinispan";

  private static final Logger LOG = Logger.getLogger(CacheStore.class);

  /** The cache could not be used for this call (down, slow, or the breaker is open). */
  public static final class CacheUnavailableException extends RuntimeException {
    CacheUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final RemoteCacheManager manager;
  private final Guard guard;
  private final Map<String, RemoteCache<String, String>> caches = new ConcurrentHashMap<>();

  @Inject
  CacheStore(
      RemoteCacheManager manager,
      @ConfigProperty(name = "unitcell.cache.timeout", defaultValue = "300ms") Duration timeout,
      @ConfigProperty(name = "unitcell.cache.breaker-delay", defaultValue = "2s")
          Duration breakerDelay) {
    this.manager = manager;
    // programmatic, not annotations: budgets are unitcell.cache.* durations, one breaker for all
    this.guard =
        Guard.create()
            .withDescription("Infinispan calls")
            .withTimeout()
            .duration(timeout.toMillis(), ChronoUnit.MILLIS)
            .done()
            .withCircuitBreaker()
            .name(BREAKER)
            .requestVolumeThreshold(10)
            .failureRatio(0.5)
            .delay(breakerDelay.toMillis(), ChronoUnit.MILLIS)
            .successThreshold(1)
            .onStateChange(state -> LOG.warnf("cache circuit breaker is %s", state))
            .done()
            .build();
  }

  /** Runs {@code operation} on the named cache within the budget, through the breaker. */
  @SuppressWarnings("unchecked")
  public <T> T call(String cache, Function<RemoteCache<String, String>, T> operation) {
    try {
      return (T) guard.call(() -> operation.apply(cache(cache)), Object.class);
    } catch (Exception e) {
      throw new CacheUnavailableException("cache " + cache + " unavailable: " + e, e);
    }
  }

  /**
   * Stores {@code value} under {@code key} unless the key holds something (for {@code lifespan}, or
   * for ever when null), within the budget.
   *
   * @return null when stored, else what the key already held
   */
  public String putIfAbsent(String cache, String key, String value, Duration lifespan) {
    return call(
        cache,
        c ->
            lifespan == null
                ? c.withFlags(Flag.FORCE_RETURN_VALUE).putIfAbsent(key, value)
                : c.withFlags(Flag.FORCE_RETURN_VALUE)
                    .putIfAbsent(key, value, lifespan.toMillis(), TimeUnit.MILLISECONDS));
  }

  /**
   * Creates the cell's caches on the server if it lacks them, off the request path (creating a
   * persistent cache can take longer than a request's budget). If the server is down, the first
   * request to need a cache creates it later.
   */
  void warmUp(@Observes StartupEvent event) {
    // Hot Rod iterates entries on RxJava: when the server goes away mid-iteration, the error after
    // the caller already failed (and closed the iterator) has nobody to go to, and RxJava's default
    // hands it to the thread's uncaught-exception handler. The caller has its exception already.
    RxJavaPlugins.setErrorHandler(
        error ->
            LOG.debugf(
                "late Infinispan client error, already reported to its caller: %s",
                error instanceof UndeliverableException ? error.getCause() : error));
    Thread warmUp =
        new Thread(
            () -> {
              for (String name : CacheNames.ALL) {
                try {
                  cache(name);
                } catch (RuntimeException e) {
                  LOG.warnf("cache %s not ready at start-up (%s); will retry on use", name, e);
                }
              }
            },
            "cache-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  /**
   * The cache breaker's state: {@code CLOSED}, {@code OPEN} (calls refused) or {@code HALF_OPEN}.
   */
  public CircuitBreakerState breakerState() {
    return CircuitBreakerMaintenance.get().currentState(BREAKER);
  }

  private RemoteCache<String, String> cache(String name) {
    // getCache creates the cache on the server from quarkus.infinispan-client.cache.<name>.*
    return caches.computeIfAbsent(
        name,
        n -> {
          RemoteCache<String, String> cache = manager.getCache(n);
          if (cache == null) {
            throw new IllegalStateException("Infinispan has no cache " + n);
          }
          return cache;
        });
  }
}

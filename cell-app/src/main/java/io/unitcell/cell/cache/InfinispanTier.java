package io.unitcell.cell.cache;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link OrderCache}'s shared tier: the {@value CacheNames#ORDERS} cache, through the guard. */
@ApplicationScoped
public class InfinispanTier implements RemoteTier {

  private final CacheStore store;

  InfinispanTier(CacheStore store) {
    this.store = store;
  }

  @Override
  public String get(String key) {
    return store.call(CacheNames.ORDERS, cache -> cache.get(key));
  }

  @Override
  public void putIfAbsent(String key, String value, Duration lifespan) {
    store.call(
        CacheNames.ORDERS,
        cache -> cache.putIfAbsent(key, value, lifespan.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void remove(String key) {
    store.call(CacheNames.ORDERS, cache -> cache.remove(key));
  }

  @Override
  public void removeAll(List<String> keys) {
    // one guarded call, the removals in flight together: one round trip's wait, not one per key
    store.call(
        CacheNames.ORDERS,
        cache ->
            CompletableFuture.allOf(
                    keys.stream().map(cache::removeAsync).toArray(CompletableFuture[]::new))
                .join());
  }

  @Override
  public void clear() {
    store.call(
        CacheNames.ORDERS,
        cache -> {
          cache.clear();
          return null;
        });
  }
}

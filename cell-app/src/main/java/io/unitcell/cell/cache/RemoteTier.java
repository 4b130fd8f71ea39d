package io.unitcell.cell.cache;

import java.time.Duration;

/**
 * The shared tier of {@link OrderCache}: the cell's Infinispan in production, a map in unit tests.
 * Every method throws {@link CacheStore.CacheUnavailableException} when the tier cannot be used.
 */
public interface RemoteTier {

  String get(String key);

  /** Stores {@code value} unless the key holds something already. */
  void putIfAbsent(String key, String value, Duration lifespan);

  void remove(String key);

  void clear();
}

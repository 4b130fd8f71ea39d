package io.unitcell.cell.cache;

import java.time.Duration;
import java.util.List;

/**
 * The shared tier of {@link OrderCache}: the cell's Infinispan in production, a map in unit tests.
 * Every method throws {@link CacheStore.CacheUnavailableException} when the tier cannot be used.
 */
public interface RemoteTier {

  String get(String key);

  /** Stores {@code value} unless the key holds something already. */
  void putIfAbsent(String key, String value, Duration lifespan);

  void remove(String key);

  /** Removes all {@code keys}, in parallel where the tier can; fails if any removal failed. */
  void removeAll(List<String> keys);

  void clear();
}

package io.unitcell.router.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.unitcell.router.RouterConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per user and per cell. A user's bucket is forgotten a minute after the user's last
 * request (at most a million are kept), so memory follows the active users, not all users.
 */
public final class RateLimits {

  /** Which limit refused a request. */
  public enum Refusal {
    USER,
    CELL
  }

  private final double userRate;
  private final int userBurst;
  private final double cellRate;
  private final int cellBurst;
  private final Map<String, Double> cellRates;
  private final LongSupplier nanoClock;
  private final Cache<String, TokenBucket> users;
  private final Map<String, TokenBucket> cells = new ConcurrentHashMap<>();

  public RateLimits(RouterConfig.Limits config, LongSupplier nanoClock) {
    this.userRate = config.userRate();
    this.userBurst = Math.max(1, config.userBurst());
    this.cellRate = config.cellRate();
    this.cellBurst = config.cellBurst();
    this.cellRates = parseCellRates(config.cellRates().orElse(List.of()));
    this.nanoClock = nanoClock;
    this.users =
        Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfterAccess(Duration.ofMinutes(1))
            .executor(Runnable::run)
            .build();
  }

  static Map<String, Double> parseCellRates(List<String> entries) {
    Map<String, Double> rates = new HashMap<>();
    for (String entry : entries) {
      int equals = entry.indexOf('=');
      try {
        if (equals <= 0) {
          throw new NumberFormatException();
        }
        rates.put(
            entry.substring(0, equals).trim(), Double.parseDouble(entry.substring(equals + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "unitcell.router.limits.cell-rates: '" + entry + "' is not cell=rate, as cell-1=5000");
      }
    }
    return Map.copyOf(rates);
  }

  /** Null when the request may go on, else the limit it ran into. */
  public Refusal check(String user, String cell) {
    long now = nanoClock.getAsLong();
    if (userRate > 0
        && !users.get(user, u -> new TokenBucket(userRate, userBurst, now)).tryTake(now)) {
      return Refusal.USER;
    }
    TokenBucket cellBucket = cellBucket(cell, now);
    if (cellBucket != null && !cellBucket.tryTake(now)) {
      return Refusal.CELL;
    }
    return null;
  }

  private TokenBucket cellBucket(String cell, long now) {
    TokenBucket bucket = cells.get(cell);
    if (bucket != null) {
      return bucket;
    }
    double rate = cellRates.getOrDefault(cell, cellRate);
    if (rate <= 0) {
      return null;
    }
    double burst = cellBurst > 0 ? cellBurst : Math.max(1, rate);
    return cells.computeIfAbsent(cell, c -> new TokenBucket(rate, burst, now));
  }
}

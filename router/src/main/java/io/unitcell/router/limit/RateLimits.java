package io.unitcell.router.limit;

import io.unitcell.router.config.RouterConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Token buckets per user and per cell. A user's bucket is forgotten once it has refilled (see
 * {@link #forgetFull}, run every few seconds off the event loops), so memory follows the active
 * users. At most {@value #MAX_USERS} users are tracked at once; beyond that, new users are not
 * limited (and counted) rather than refused or slowing every request down.
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

  /** Whether any cell has a limit (none by default): otherwise the cell check is skipped. */
  private final boolean cellLimits;

  /** Most users tracked at once. */
  public static final int MAX_USERS = 2_000_000;

  private final ConcurrentHashMap<String, TokenBucket> users = new ConcurrentHashMap<>();
  private final LongAdder untracked = new LongAdder();
  private final Map<String, TokenBucket> cells = new ConcurrentHashMap<>();

  public RateLimits(RouterConfig.Limits config, LongSupplier nanoClock) {
    this.userRate = config.userRate();
    this.userBurst = Math.max(1, config.userBurst());
    this.cellRate = config.cellRate();
    this.cellBurst = config.cellBurst();
    this.cellRates = parseCellRates(config.cellRates().orElse(List.of()));
    this.nanoClock = nanoClock;
    this.cellLimits = cellRate > 0 || cellRates.values().stream().anyMatch(rate -> rate > 0);
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
    if (userRate > 0) {
      TokenBucket bucket = users.get(user);
      if (bucket == null) {
        bucket = newUserBucket(user, now);
      }
      if (bucket != null && !bucket.tryTake(now)) {
        return Refusal.USER;
      }
    }
    if (cellLimits) {
      TokenBucket cellBucket = cellBucket(cell, now);
      if (cellBucket != null && !cellBucket.tryTake(now)) {
        return Refusal.CELL;
      }
    }
    return null;
  }

  private TokenBucket newUserBucket(String user, long now) {
    if (users.size() >= MAX_USERS) {
      untracked.increment();
      return null;
    }
    return users.computeIfAbsent(user, u -> new TokenBucket(userRate, userBurst, now));
  }

  /** Forgets the buckets that are full again (a new one would be the same); off the event loops. */
  public void forgetFull() {
    long now = nanoClock.getAsLong();
    users.values().removeIf(bucket -> bucket.isFullAt(now));
  }

  /** Users tracked now. */
  public int trackedUsers() {
    return users.size();
  }

  /** Requests of users that were not limited because {@value #MAX_USERS} were tracked. */
  public long untrackedRequests() {
    return untracked.sum();
  }

  private TokenBucket cellBucket(String cell, long now) {
    TokenBucket bucket = cells.get(cell);
    if (bucket != null) {
      return bucket;
    }
    Double own = cellRates.get(cell); // not getOrDefault(cell, cellRate): that boxes cellRate
    double rate = own != null ? own : cellRate;
    if (rate <= 0) {
      return null;
    }
    double burst = cellBurst > 0 ? cellBurst : Math.max(1, rate);
    return cells.computeIfAbsent(cell, c -> new TokenBucket(rate, burst, now));
  }
}

package io.unitcell.router.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.router.config.RouterConfig;
import io.unitcell.router.limit.RateLimits.Refusal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

  private static RouterConfig.Limits limits(
      double userRate, int userBurst, double cellRate, int cellBurst, String... cellRates) {
    return new RouterConfig.Limits() {
      @Override
      public double userRate() {
        return userRate;
      }

      @Override
      public int userBurst() {
        return userBurst;
      }

      @Override
      public double cellRate() {
        return cellRate;
      }

      @Override
      public int cellBurst() {
        return cellBurst;
      }

      @Override
      public Optional<List<String>> cellRates() {
        return cellRates.length == 0 ? Optional.empty() : Optional.of(List.of(cellRates));
      }
    };
  }

  /**
   * How many of {@code n} requests at one instant pass; the first refusal's kind in {@code kind}.
   */
  private static int passed(RateLimits limits, String user, String cell, int n, Refusal[] kind) {
    int passed = 0;
    for (int i = 0; i < n; i++) {
      Refusal refusal = limits.check(user, cell);
      if (refusal == null) {
        passed++;
      } else if (kind[0] == null) {
        kind[0] = refusal;
      }
    }
    return passed;
  }

  @Test
  void withoutCellLimitsOnlyTheUsersBucketCounts() {
    RateLimits limits = new RateLimits(limits(10, 5, 0, 0), () -> 0L);
    Refusal[] kind = new Refusal[1];
    assertThat(passed(limits, "u1", "cell-1", 8, kind)).isEqualTo(5);
    assertThat(kind[0]).isEqualTo(Refusal.USER);
    // other users are not affected, whatever their cell
    assertThat(passed(limits, "u2", "cell-1", 5, new Refusal[1])).isEqualTo(5);
  }

  @Test
  void aCellNamedInCellRatesIsLimitedTheOthersAreNot() {
    RateLimits limits = new RateLimits(limits(0, 1, 0, 0, "cell-1=3"), () -> 0L);
    Refusal[] kind = new Refusal[1];
    assertThat(passed(limits, "u1", "cell-1", 10, kind)).isEqualTo(3); // burst: one second
    assertThat(kind[0]).isEqualTo(Refusal.CELL);
    assertThat(passed(limits, "u1", "cell-2", 10, new Refusal[1])).isEqualTo(10);
  }

  @Test
  void theDefaultCellRateAppliesToEveryCellACellRateOfZeroLiftsIt() {
    RateLimits limits = new RateLimits(limits(0, 1, 2, 4, "cell-2=0"), () -> 0L);
    assertThat(passed(limits, "u1", "cell-1", 10, new Refusal[1])).isEqualTo(4);
    assertThat(passed(limits, "u1", "cell-3", 10, new Refusal[1])).isEqualTo(4);
    assertThat(passed(limits, "u1", "cell-2", 10, new Refusal[1])).isEqualTo(10);
  }
}

package io.unitcell.local.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.local.flashsale.FlashSales;
import io.unitcell.local.state.LocalState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What verify reads, how it waits for flash-sale orders, and its oversell check. */
class VerifyTest {

  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  /** A clock that only the sleeper moves. */
  static final class FakeTime {
    long nanos;
    final List<Duration> sleeps = new ArrayList<>();

    void sleep(Duration d) {
      sleeps.add(d);
      nanos += d.toNanos();
    }
  }

  @Test
  void waitsWhileTheOrdersKeepArrivingInTheDatabase() throws Exception {
    FakeTime time = new FakeTime();
    // 3 missing, then 2 for a long time (but less than the patience), then 1, then none
    Deque<Set<String>> answers = new ArrayDeque<>();
    answers.add(Set.of("a", "b", "c"));
    for (int i = 0; i < 25; i++) {
      answers.add(Set.of("b", "c"));
    }
    answers.add(Set.of("c"));
    answers.add(Set.of());
    Set<String> left =
        Verify.awaitStored(
            answers::poll,
            3,
            Duration.ofSeconds(60),
            Duration.ofSeconds(2),
            () -> time.nanos,
            time::sleep,
            out);
    assertThat(left).isEmpty();
    assertThat(answers).isEmpty();
    assertThat(time.nanos).isEqualTo(Duration.ofSeconds(2 * 27).toNanos());
    assertThat(printed())
        .contains("flash-sale orders not in the database yet: 3 of 3")
        .contains("waiting until none is stored for 60 s")
        .contains("s  flash-sale orders not in the database yet: 2 of 3")
        .doesNotContain("gave up");
  }

  @Test
  void givesUpWhenNoneIsStoredForThePatience() throws Exception {
    FakeTime time = new FakeTime();
    int[] calls = {0};
    Set<String> left =
        Verify.awaitStored(
            () -> {
              calls[0]++;
              return calls[0] < 3 ? Set.of("a", "b") : Set.of("b");
            },
            2,
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            () -> time.nanos,
            time::sleep,
            out);
    assertThat(left).containsExactly("b");
    // progress at 4 s, then 10 s without any: gives up at 14 s
    assertThat(time.nanos).isEqualTo(Duration.ofSeconds(14).toNanos());
    assertThat(printed())
        .contains("gave up waiting: none stored for 10 s; 1 acknowledged flash-sale orders");
  }

  @Test
  void nothingMissingMeansNoWaitAtAll() throws Exception {
    FakeTime time = new FakeTime();
    assertThat(
            Verify.awaitStored(
                Set::of,
                5,
                Duration.ofSeconds(60),
                Duration.ofSeconds(2),
                () -> 0,
                time::sleep,
                out))
        .isEmpty();
    assertThat(time.sleeps).isEmpty();
    assertThat(printed()).isEmpty();
  }

  @Test
  void aCellThatStoredMoreThanItsStockFails(@TempDir Path dir) {
    LocalState state = new LocalState(dir);
    Map<String, String> keyspaces = new TreeMap<>(Map.of("cell-1", "cell_1", "cell-2", "cell_2"));
    Verify verify = new Verify(state, keyspaces, "jdbc:unused/{keyspace}", "http://unused", out);
    FlashSales.Ledger ledger =
        new FlashSales.Ledger(Map.of("phone-1", Map.of("cell-1", 5L, "cell-2", 5L)));
    List<String> examples = new ArrayList<>();

    assertThat(
            verify.checkFlashStock(
                ledger,
                Map.of("phone-1", Map.of("cell-1", 5L, "cell-2", 3L)),
                Set.of("phone-1"),
                examples))
        .isZero();
    assertThat(printed())
        .contains(
            "flash sale phone-1: units stored of the stock opened, per cell: cell-1 5 of 5,"
                + " cell-2 3 of 5; oversold cells: 0");

    assertThat(
            verify.checkFlashStock(
                ledger, Map.of("phone-1", Map.of("cell-2", 6L)), Set.of("phone-1"), examples))
        .isEqualTo(1);
    assertThat(examples).containsExactly("flash sale phone-1: cell-2 stored 6 units of 5");
  }

  @Test
  void aFlashSaleWithoutARecordOfItsStockCannotPass(@TempDir Path dir) {
    Verify verify =
        new Verify(
            new LocalState(dir), Map.of("cell-1", "cell_1"), "jdbc:/{keyspace}", "http://x", out);
    FlashSales.Ledger none = new FlashSales.Ledger(Map.of());
    // acknowledged but nothing stored yet: still no way to check it
    assertThat(verify.checkFlashStock(none, Map.of(), Set.of("phone-1"), new ArrayList<>()))
        .isEqualTo(1);
    // stored by someone, not in the file
    assertThat(
            verify.checkFlashStock(
                none, Map.of("tea-2", Map.of("cell-1", 1L)), Set.of(), new ArrayList<>()))
        .isEqualTo(1);
    assertThat(printed()).contains("flash sale tea-2: 1 units stored, but").contains("not checked");
    // no flash sale anywhere: nothing to check, nothing printed
    assertThat(verify.checkFlashStock(none, Map.of(), Set.of(), new ArrayList<>())).isZero();
  }
}

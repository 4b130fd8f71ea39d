package io.unitcell.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unitcell.topology.Planner.CellWeight;
import io.unitcell.topology.Planner.PlannedCell;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PlannerTest {

  private static final int TRIES = 1000;

  /** A slot count, cells before and cells after (some added, removed or re-weighted). */
  record Change(int slots, List<CellWeight> before, List<CellWeight> after, long seed) {}

  @Provide
  Arbitrary<Change> changes() {
    Arbitrary<Integer> slots =
        Arbitraries.oneOf(
            Arbitraries.integers().between(1, 300), Arbitraries.of(1024, 4096, 16384));
    return Combinators.combine(slots, cells(), cells(), Arbitraries.longs()).as(Change::new);
  }

  /** 1 to 6 cells named from a small pool, so changes share some names; at least one weight > 0. */
  static Arbitrary<List<CellWeight>> cells() {
    return Arbitraries.subsetOf("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7")
        .ofMinSize(1)
        .ofMaxSize(6)
        .flatMap(
            names ->
                Arbitraries.integers()
                    .between(0, 1000)
                    .list()
                    .ofSize(names.size())
                    .map(
                        weights -> {
                          List<CellWeight> cells = new ArrayList<>();
                          int i = 0;
                          for (String name : names.stream().sorted().toList()) {
                            cells.add(new CellWeight(name, weights.get(i++)));
                          }
                          if (cells.stream().allMatch(c -> c.weight() == 0)) {
                            cells.set(0, new CellWeight(cells.get(0).name(), 1));
                          }
                          return cells;
                        }));
  }

  @Property(tries = TRIES)
  void everySlotIsOwnedExactlyOnceByAListedCell(@ForAll("changes") Change change) {
    String[] before = Planner.assign(change.slots(), change.before());
    String[] after = Planner.rebalance(before, change.after());
    List<String> names = change.after().stream().map(CellWeight::name).toList();
    assertThat(after).hasSize(change.slots()).doesNotContainNull();
    assertThat(names).containsAll(List.of(after));
    // the ranges of a table built from it cover every slot once
    Map<String, CellRoute> routes = new HashMap<>();
    names.forEach(n -> routes.put(n, CellRoute.serving("z", "h:1")));
    RoutingTable table = RoutingTable.of(1, after, routes);
    int covered = 0;
    int next = 0;
    for (SlotRange range : table.slots()) {
      assertThat(range.from()).isEqualTo(next);
      next = range.to() + 1;
      covered += range.size();
    }
    assertThat(covered).isEqualTo(change.slots());
  }

  @Property(tries = TRIES)
  void sharesAreWithinOneSlotOfTheIdeal(@ForAll("changes") Change change) {
    String[] before = Planner.assign(change.slots(), change.before());
    String[] after = Planner.rebalance(before, change.after());
    double total = change.after().stream().mapToInt(CellWeight::weight).sum();
    Map<String, Integer> held = counts(after);
    for (CellWeight cell : change.after()) {
      double ideal = change.slots() * cell.weight() / total;
      assertThat(Math.abs(held.getOrDefault(cell.name(), 0) - ideal))
          .as("share of %s", cell)
          .isLessThan(1.0);
    }
  }

  @Property(tries = TRIES)
  void movesNoMoreSlotsThanAnyFairAssignmentMust(@ForAll("changes") Change change) {
    String[] before = Planner.assign(change.slots(), change.before());
    String[] after = Planner.rebalance(before, change.after());
    assertThat(Planner.movedSlots(before, after))
        .isEqualTo(minimalMoves(change.slots(), counts(before), change.after()));
  }

  @Property(tries = TRIES)
  void dependsOnlyOnTheInputsNotTheirOrder(@ForAll("changes") Change change) {
    String[] before = Planner.assign(change.slots(), change.before());
    List<CellWeight> shuffled = new ArrayList<>(change.after());
    Collections.shuffle(shuffled, new Random(change.seed()));
    assertThat(Planner.rebalance(before, shuffled))
        .isEqualTo(Planner.rebalance(before.clone(), change.after()));
    List<CellWeight> shuffledBefore = new ArrayList<>(change.before());
    Collections.shuffle(shuffledBefore, new Random(change.seed()));
    assertThat(Planner.assign(change.slots(), shuffledBefore)).isEqualTo(before);
  }

  @Property(tries = TRIES)
  void replanningUnchangedCellsMovesNothing(@ForAll("changes") Change change) {
    String[] planned = Planner.assign(change.slots(), change.after());
    assertThat(Planner.rebalance(planned, change.after())).isEqualTo(planned);
  }

  @Property(tries = TRIES)
  void epochsOnlyGrowAndOnlyOnChange(
      @ForAll("changes") Change change, @ForAll @IntRange(min = 1, max = 1000) int epoch) {
    RoutingTable first = Planner.nextTable(null, change.slots(), planned(change.before()));
    RoutingTable previous = first.withEpoch(epoch);
    RoutingTable next = Planner.nextTable(previous, change.slots(), planned(change.after()));
    if (next.sameContentAs(previous)) {
      assertThat(next).isSameAs(previous);
    } else {
      assertThat(next.epoch()).isEqualTo(epoch + 1);
    }
    assertThat(Planner.nextTable(next, change.slots(), planned(change.after()))).isSameAs(next);
  }

  @Test
  void addingAFifthEqualCellMovesOnlyItsShare() {
    List<CellWeight> four = equalCells(4);
    String[] before = Planner.assign(1024, four);
    assertThat(counts(before)).containsOnlyKeys("c0", "c1", "c2", "c3").containsValue(256);
    String[] after = Planner.rebalance(before, equalCells(5));
    assertThat(Planner.movedSlots(before, after)).isEqualTo(204);
    assertThat(counts(after).get("c4")).isEqualTo(204);
  }

  @Test
  void aFreshPlanGivesEachCellOneContiguousRange() {
    Map<String, CellRoute> routes = new HashMap<>();
    equalCells(4).forEach(c -> routes.put(c.name(), CellRoute.serving("z", "h:1")));
    RoutingTable table = RoutingTable.of(1, Planner.assign(1024, equalCells(4)), routes);
    assertThat(table.slots())
        .containsExactly(
            new SlotRange(0, 255, "c0"),
            new SlotRange(256, 511, "c1"),
            new SlotRange(512, 767, "c2"),
            new SlotRange(768, 1023, "c3"));
  }

  @Test
  void rejectsBadInputClearly() {
    assertThatThrownBy(() -> Planner.assign(16, List.of(new CellWeight("a", 0))))
        .hasMessage("at least one cell must have a weight above 0");
    assertThatThrownBy(() -> new CellWeight("a", -1))
        .hasMessage("cell a: weight must be between 0 and 1000000, got -1");
    assertThatThrownBy(
            () -> Planner.assign(16, List.of(new CellWeight("a", 1), new CellWeight("a", 2))))
        .hasMessage("cell a is listed twice");
    RoutingTable table = Planner.nextTable(null, 16, planned(equalCells(2)));
    assertThatThrownBy(() -> Planner.nextTable(table, 32, planned(equalCells(2))))
        .hasMessage("slot count is fixed at 16; changing it to 32 would move every user");
  }

  /**
   * The fewest moves of any assignment giving every cell floor or ceil of its ideal share, by
   * trying every choice of which cells round up (independent of the planner's own reasoning).
   */
  static int minimalMoves(int slots, Map<String, Integer> held, List<CellWeight> cells) {
    long total = cells.stream().mapToLong(CellWeight::weight).sum();
    int n = cells.size();
    int best = Integer.MAX_VALUE;
    for (int mask = 0; mask < (1 << n); mask++) {
      int sum = 0;
      int kept = 0;
      boolean fair = true;
      for (int i = 0; i < n; i++) {
        CellWeight cell = cells.get(i);
        long scaled = (long) slots * cell.weight();
        boolean up = (mask & (1 << i)) != 0;
        if (up && scaled % total == 0) {
          fair = false;
          break;
        }
        int quota = (int) (scaled / total) + (up ? 1 : 0);
        sum += quota;
        kept += Math.min(quota, held.getOrDefault(cell.name(), 0));
      }
      if (fair && sum == slots) {
        best = Math.min(best, slots - kept);
      }
    }
    return best;
  }

  static Map<String, Integer> counts(String[] owners) {
    Map<String, Integer> counts = new HashMap<>();
    for (String owner : owners) {
      counts.merge(owner, 1, Integer::sum);
    }
    return counts;
  }

  static List<CellWeight> equalCells(int n) {
    List<CellWeight> cells = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cells.add(new CellWeight("c" + i, 100));
    }
    return cells;
  }

  static List<PlannedCell> planned(List<CellWeight> cells) {
    return cells.stream()
        .map(
            c ->
                new PlannedCell(c.name(), c.weight(), CellRoute.serving("zone-" + c.name(), "h:1")))
        .toList();
  }
}

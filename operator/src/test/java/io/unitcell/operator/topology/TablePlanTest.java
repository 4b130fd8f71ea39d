package io.unitcell.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.operator.Samples;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The rules of {@link TablePlan}, without an API server (Tier 0). */
class TablePlanTest {

  static final Set<String> ZONES = Set.of("zone-a", "zone-b");

  static Cell cell(String name) {
    return Samples.cell("ns", name, "shop", "zone-a", "zone-b");
  }

  static Cell draining(String name, String to, Long dataMovedAtEpoch) {
    Cell cell = cell(name);
    cell.getSpec().setDrain(Samples.drain(to, dataMovedAtEpoch));
    return cell;
  }

  static Cell deleting(Cell cell) {
    cell.getMetadata().setDeletionTimestamp("2026-11-23T00:00:00Z");
    return cell;
  }

  /** One pass of the operator: the table, fences and pins it would publish. */
  record State(RoutingTable table, Map<String, Long> fenced, Map<String, BitSet> pinned) {
    TablePlan next(int slots, Cell... cells) {
      return TablePlan.of(
          table,
          table == null ? 0 : table.epoch(),
          slots,
          List.of(cells),
          ZONES,
          "ns",
          fenced,
          pinned);
    }

    static State after(TablePlan plan) {
      return new State(plan.next(), plan.fenced(), plan.pinned());
    }
  }

  static final State EMPTY = new State(null, Map.of(), Map.of());

  static List<Cell> cells(int count) {
    List<Cell> cells = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cells.add(cell("cell-" + (char) ('a' + i)));
    }
    return cells;
  }

  static Cell[] with(List<Cell> cells, Cell replacing) {
    return cells.stream()
        .map(
            c ->
                c.getMetadata().getName().equals(replacing.getMetadata().getName()) ? replacing : c)
        .toArray(Cell[]::new);
  }

  static Cell[] without(List<Cell> cells, String name) {
    return cells.stream().filter(c -> !c.getMetadata().getName().equals(name)).toArray(Cell[]::new);
  }

  @Test
  void aFirstTableGivesEverySlotOnceAtEpochOne() {
    RoutingTable table = EMPTY.next(1024, cells(3).toArray(Cell[]::new)).next();
    assertThat(table.epoch()).isEqualTo(1);
    assertThat(IntStream.range(0, 1024).mapToObj(table::cellOfSlot)).doesNotContainNull();
    assertThat(table.route("cell-a").endpoints()).containsExactly("cell-a.ns.svc:8080");
  }

  /**
   * Fence, wait for the data step naming the fence, move exactly the drained slots, and never again
   * move them or anything else: for slot counts and cell counts where rounding bites.
   */
  @Test
  void aDrainMovesExactlyTheDrainedSlotsOnlyAfterTheFenceAndTheDataStep() {
    for (int slots : new int[] {1024, 1026, 1000}) {
      for (int count = 2; count <= 7; count++) {
        List<Cell> cells = cells(count);
        State start = State.after(EMPTY.next(slots, cells.toArray(Cell[]::new)));
        RoutingTable before = start.table();
        String drained = "cell-a";
        String target = "cell-b";

        TablePlan fencing = start.next(slots, with(cells, draining(drained, target, null)));
        RoutingTable fenced = fencing.next();
        assertThat(fenced.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(fenced.route(drained).state()).isEqualTo(CellState.FENCED);
        assertThat(fenced.ownerBySlot()).containsExactly(before.ownerBySlot());
        assertThat(fencing.fenced()).containsExactly(Map.entry(drained, fenced.epoch()));
        State fencedState = State.after(fencing);

        // nothing said about the data yet, or naming another epoch (stale, or set in advance)
        for (Long dataMoved : new Long[] {null, fenced.epoch() - 1, fenced.epoch() + 5}) {
          TablePlan waiting =
              fencedState.next(slots, with(cells, draining(drained, target, dataMoved)));
          assertThat(waiting.next()).isSameAs(fenced);
          assertThat(waiting.drainNotes()).contains("dataMovedAtEpoch to " + fenced.epoch());
        }

        TablePlan moving =
            fencedState.next(slots, with(cells, draining(drained, target, fenced.epoch())));
        RoutingTable moved = moving.next();
        assertThat(moved.epoch()).isEqualTo(fenced.epoch() + 1);
        assertThat(moved.cells()).doesNotContainKey(drained);
        for (int slot = 0; slot < slots; slot++) {
          String owner = before.cellOfSlot(slot);
          assertThat(moved.cellOfSlot(slot))
              .as("%d slots, %d cells: slot %d", slots, count, slot)
              .isEqualTo(owner.equals(drained) ? target : owner);
        }
        assertThat(moving.movedNow()).containsExactly(Map.entry(drained, target));
        assertThat(moving.fenced()).isEmpty();
        assertThat(moving.pinned().get(target).cardinality())
            .isEqualTo(before.slotCountOf(drained));

        // the drained cell still there, being deleted, or gone: nothing moves any more
        State after = State.after(moving);
        for (Cell[] rest :
            List.of(
                with(cells, draining(drained, target, fenced.epoch())),
                with(cells, deleting(draining(drained, target, fenced.epoch()))),
                without(cells, drained))) {
          TablePlan again = after.next(slots, rest);
          assertThat(again.next()).isSameAs(moved);
          assertThat(again.pinned()).isEqualTo(after.pinned());
        }
      }
    }
  }

  @Test
  void aFencedCellKeepsItsSlotsWhileOtherCellsComeAndChangeWeight() {
    List<Cell> cells = cells(3);
    State start = State.after(EMPTY.next(1024, cells.toArray(Cell[]::new)));
    State fenced = State.after(start.next(1024, with(cells, draining("cell-c", "cell-a", null))));
    int slotsOfC = fenced.table().slotCountOf("cell-c");

    Cell heavier = cell("cell-b");
    heavier.getSpec().setWeight(3);
    List<Cell> changed = new ArrayList<>(List.of(cell("cell-a"), heavier));
    changed.add(draining("cell-c", "cell-a", null));
    changed.add(cell("cell-d"));
    RoutingTable next = fenced.next(1024, changed.toArray(Cell[]::new)).next();
    assertThat(next.slotCountOf("cell-d")).isPositive();
    for (int slot = 0; slot < 1024; slot++) {
      if ("cell-c".equals(fenced.table().cellOfSlot(slot))) {
        assertThat(next.cellOfSlot(slot)).isEqualTo("cell-c");
      }
    }
    assertThat(next.slotCountOf("cell-c")).isEqualTo(slotsOfC);
  }

  @Test
  void aCancelledDrainUnfencesTheCell() {
    List<Cell> cells = cells(3);
    State start = State.after(EMPTY.next(1024, cells.toArray(Cell[]::new)));
    State fenced = State.after(start.next(1024, with(cells, draining("cell-c", "cell-a", null))));
    TablePlan cancelled = fenced.next(1024, cells.toArray(Cell[]::new));
    assertThat(cancelled.next().route("cell-c").state()).isEqualTo(CellState.SERVING);
    assertThat(cancelled.next().epoch()).isEqualTo(3);
    assertThat(cancelled.fenced()).isEmpty();
    assertThat(Planner.movedSlots(start.table().ownerBySlot(), cancelled.next().ownerBySlot()))
        .isZero();
  }

  @Test
  void invalidDrainsAreRefusedAndTheCellKeepsServing() {
    List<Cell> cells = cells(3);
    State start = State.after(EMPTY.next(1024, cells.toArray(Cell[]::new)));
    Cell outside = Samples.cell("ns", "cell-q", "shop", "zone-q", "zone-a");
    record Case(Cell[] cells, String why) {}
    List<Case> cases =
        List.of(
            new Case(
                with(cells, draining("cell-c", "cell-c", null)), "a cell cannot drain to itself"),
            new Case(
                with(cells, draining("cell-c", "cell-z", null)), "no cell cell-z in this topology"),
            new Case(
                with(
                    List.of(cell("cell-a"), cell("cell-b"), deleting(cell("cell-c"))),
                    draining("cell-a", "cell-c", null)),
                "target cell-c is being deleted"),
            new Case(
                with(
                    List.of(cell("cell-a"), draining("cell-b", "cell-c", null), cell("cell-c")),
                    draining("cell-a", "cell-b", null)),
                "target cell-b is itself being drained"),
            new Case(
                new Cell[] {
                  cell("cell-a"), cell("cell-b"), draining("cell-c", "cell-q", null), outside
                },
                "target cell-q is not in the routing table yet"));
    for (Case refused : cases) {
      TablePlan plan = start.next(1024, refused.cells());
      assertThat(plan.drainNotes()).contains("drain refused: " + refused.why());
      String refusedCell =
          refused.why().contains("itself")
              ? "cell-a"
              : refused.why().contains("deleted") ? "cell-a" : "cell-c";
      assertThat(plan.next().route(refusedCell).state()).isEqualTo(CellState.SERVING);
    }
  }

  @Test
  void aCellBeingDeletedKeepsItsSlotsButANewOneGetsNone() {
    List<Cell> cells = cells(3);
    RoutingTable before = EMPTY.next(1024, cells.toArray(Cell[]::new)).next();
    State start = new State(before, Map.of(), Map.of());
    assertThat(start.next(1024, with(cells, deleting(cell("cell-c")))).next()).isSameAs(before);
    List<Cell> more = new ArrayList<>(cells);
    more.add(deleting(cell("cell-d")));
    assertThat(start.next(1024, more.toArray(Cell[]::new)).next()).isSameAs(before);
  }

  @Test
  void aNewCellInAZoneTheTopologyLacksGetsNoSlots() {
    List<Cell> cells = new ArrayList<>(cells(3));
    RoutingTable before = EMPTY.next(1024, cells.toArray(Cell[]::new)).next();
    cells.add(Samples.cell("ns", "cell-d", "shop", "zone-q", "zone-a"));
    TablePlan plan = new State(before, Map.of(), Map.of()).next(1024, cells.toArray(Cell[]::new));
    assertThat(plan.next()).isSameAs(before);
    assertThat(plan.excluded())
        .containsEntry("cell-d", "zone zone-q is not a zone of the topology");
  }

  @Test
  void aRebuiltTableMovesTheEpochPastTheLastOnePublished() {
    TablePlan rebuilt = TablePlan.of(null, 41, 1024, cells(2), ZONES, "ns", Map.of(), Map.of());
    assertThat(rebuilt.next().epoch()).isEqualTo(42);
  }

  @Test
  void withoutAPlannableCellThereIsNoTable() {
    assertThat(EMPTY.next(1024, deleting(cell("cell-a"))).next()).isNull();
  }
}

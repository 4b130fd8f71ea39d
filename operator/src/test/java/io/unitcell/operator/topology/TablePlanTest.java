package io.unitcell.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.operator.Samples;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Drain;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of {@link TablePlan}, without an API server (Tier 0). */
class TablePlanTest {

  static final Set<String> ZONES = Set.of("zone-a", "zone-b");

  static Cell cell(String name) {
    return Samples.cell("ns", name, "shop", "zone-a", "zone-b");
  }

  static Cell draining(String name, String to, Long dataMovedAtEpoch) {
    Cell cell = cell(name);
    Drain drain = new Drain();
    drain.setTo(to);
    drain.setDataMovedAtEpoch(dataMovedAtEpoch);
    cell.getSpec().setDrain(drain);
    return cell;
  }

  static Cell deleting(Cell cell) {
    cell.getMetadata().setDeletionTimestamp("2026-11-23T00:00:00Z");
    return cell;
  }

  static TablePlan plan(RoutingTable previous, Map<String, Long> fenced, Cell... cells) {
    return plan(previous, fenced, Map.of(), cells);
  }

  static TablePlan plan(
      RoutingTable previous,
      Map<String, Long> fenced,
      Map<String, Integer> absorbed,
      Cell... cells) {
    return TablePlan.of(previous, 1024, List.of(cells), ZONES, "ns", fenced, absorbed);
  }

  static RoutingTable threeCells() {
    return plan(null, null, cell("cell-a"), cell("cell-b"), cell("cell-c")).next();
  }

  @Test
  void aFirstTableGivesEverySlotOnceAtEpochOne() {
    RoutingTable table = threeCells();
    assertThat(table.epoch()).isEqualTo(1);
    assertThat(
            table.slotCountOf("cell-a") + table.slotCountOf("cell-b") + table.slotCountOf("cell-c"))
        .isEqualTo(1024);
    assertThat(table.route("cell-a").endpoints()).containsExactly("cell-a.ns.svc:8080");
  }

  @Test
  void aDrainFencesFirstAndMovesTheSlotsToTheTargetOnlyAfterTheDataMoved() {
    RoutingTable before = threeCells();
    int slotsOfC = before.slotCountOf("cell-c");

    TablePlan fencing =
        plan(before, null, cell("cell-a"), cell("cell-b"), draining("cell-c", "cell-a", null));
    RoutingTable fenced = fencing.next();
    assertThat(fenced.epoch()).isEqualTo(2);
    assertThat(fenced.route("cell-c").state()).isEqualTo(CellState.FENCED);
    assertThat(fenced.slotCountOf("cell-c")).isEqualTo(slotsOfC);
    assertThat(Planner.movedSlots(before.ownerBySlot(), fenced.ownerBySlot())).isZero();
    assertThat(fencing.fencedNow()).containsExactly("cell-c");
    assertThat(fencing.fenced()).containsExactly(Map.entry("cell-c", 2L));

    // nothing said about the data yet, or a copy from before the fence: the fence holds, no change
    for (Long dataMoved : new Long[] {null, 1L}) {
      TablePlan waiting =
          plan(
              fenced,
              fencing.fenced(),
              cell("cell-a"),
              cell("cell-b"),
              draining("cell-c", "cell-a", dataMoved));
      assertThat(waiting.next()).isSameAs(fenced);
      assertThat(waiting.fenced()).containsExactly(Map.entry("cell-c", 2L));
      assertThat(waiting.drainNotes())
          .contains("fenced at epoch 2")
          .contains("dataMovedAtEpoch to 2");
    }

    TablePlan moving =
        plan(
            fenced,
            fencing.fenced(),
            cell("cell-a"),
            cell("cell-b"),
            draining("cell-c", "cell-a", 2L));
    RoutingTable moved = moving.next();
    assertThat(moved.epoch()).isEqualTo(3);
    assertThat(moved.cells()).doesNotContainKey("cell-c");
    assertThat(moved.slotCountOf("cell-a")).isEqualTo(before.slotCountOf("cell-a") + slotsOfC);
    assertThat(moved.slotCountOf("cell-b")).isEqualTo(before.slotCountOf("cell-b"));
    assertThat(Planner.movedSlots(fenced.ownerBySlot(), moved.ownerBySlot())).isEqualTo(slotsOfC);
    assertThat(moving.movedNow()).containsExactly(Map.entry("cell-c", "cell-a"));
    assertThat(moving.fenced()).isEmpty();

    assertThat(moving.absorbed()).containsExactly(Map.entry("cell-a", 1));

    // the drained cell (still there, being deleted, or gone) changes nothing more: cell-a carries
    // its weight, so the planner does not spread the moved slots (that would move data unfenced)
    Map<String, Integer> absorbed = moving.absorbed();
    for (Cell[] cells :
        List.of(
            new Cell[] {cell("cell-a"), cell("cell-b"), draining("cell-c", "cell-a", 2L)},
            new Cell[] {cell("cell-a"), cell("cell-b"), deleting(draining("cell-c", "cell-a", 2L))},
            new Cell[] {cell("cell-a"), cell("cell-b")})) {
      TablePlan after = plan(moved, Map.of(), absorbed, cells);
      assertThat(after.next()).isSameAs(moved);
      assertThat(after.absorbed()).isEqualTo(absorbed);
    }
    // without the carried weight the planner would have moved slots again
    assertThat(plan(moved, Map.of(), Map.of(), cell("cell-a"), cell("cell-b")).next())
        .isNotSameAs(moved);
  }

  @Test
  void aCancelledDrainUnfencesTheCell() {
    RoutingTable before = threeCells();
    TablePlan fencing =
        plan(before, null, cell("cell-a"), cell("cell-b"), draining("cell-c", "cell-a", null));
    TablePlan cancelled =
        plan(fencing.next(), fencing.fenced(), cell("cell-a"), cell("cell-b"), cell("cell-c"));
    assertThat(cancelled.next().route("cell-c").state()).isEqualTo(CellState.SERVING);
    assertThat(cancelled.next().epoch()).isEqualTo(3);
    assertThat(cancelled.fenced()).isEmpty();
  }

  @Test
  void invalidDrainsAreRefusedAndTheCellKeepsServing() {
    RoutingTable before = threeCells();
    record Case(Cell c, String why) {}
    for (Case refused :
        List.of(
            new Case(draining("cell-c", "cell-c", null), "a cell cannot drain to itself"),
            new Case(draining("cell-c", "cell-z", null), "no cell cell-z in this topology"))) {
      TablePlan plan = plan(before, null, cell("cell-a"), cell("cell-b"), refused.c());
      assertThat(plan.next()).isSameAs(before);
      assertThat(plan.drainNotes()).contains("drain refused: " + refused.why());
    }
    TablePlan chained =
        plan(
            before,
            null,
            draining("cell-a", "cell-b", null),
            draining("cell-b", "cell-c", null),
            cell("cell-c"));
    assertThat(chained.drainNotes())
        .contains("cell-a: drain refused: target cell-b is itself being drained");
    assertThat(chained.next().route("cell-a").state()).isEqualTo(CellState.SERVING);
  }

  @Test
  void aCellBeingDeletedKeepsItsSlotsButANewOneGetsNone() {
    RoutingTable before = threeCells();
    assertThat(plan(before, null, cell("cell-a"), cell("cell-b"), deleting(cell("cell-c"))).next())
        .isSameAs(before);
    assertThat(
            plan(
                    before,
                    null,
                    cell("cell-a"),
                    cell("cell-b"),
                    cell("cell-c"),
                    deleting(cell("cell-d")))
                .next())
        .isSameAs(before);
  }

  @Test
  void aNewCellInAZoneTheTopologyLacksGetsNoSlots() {
    RoutingTable before = threeCells();
    Cell stranger = Samples.cell("ns", "cell-d", "shop", "zone-q", "zone-a");
    TablePlan plan = plan(before, null, cell("cell-a"), cell("cell-b"), cell("cell-c"), stranger);
    assertThat(plan.next()).isSameAs(before);
    assertThat(plan.excluded())
        .containsEntry("cell-d", "zone zone-q is not a zone of the topology");
  }

  @Test
  void withoutAPlannableCellThereIsNoTable() {
    assertThat(plan(null, null, deleting(cell("cell-a"))).next()).isNull();
  }
}

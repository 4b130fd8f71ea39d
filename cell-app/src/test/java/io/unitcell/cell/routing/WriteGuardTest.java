package io.unitcell.cell.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.cell.routing.WriteGuard.Allowed;
import io.unitcell.cell.routing.WriteGuard.Refused;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.CellWeight;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.SlotHash;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteGuardTest {

  static final RoutingTable TABLE =
      RoutingTable.of(
          12,
          Planner.assign(1024, List.of(new CellWeight("cell-1", 1), new CellWeight("cell-2", 1))),
          Map.of(
              "cell-1", CellRoute.serving("zone-a", "a:1"),
              "cell-2", CellRoute.serving("zone-b", "b:1")));

  static String userIn(String cell) {
    for (int i = 0; ; i++) {
      if (TABLE.cellOfUser("user-" + i).equals(cell)) {
        return "user-" + i;
      }
    }
  }

  @Test
  void allowsWritesForItsOwnServingSlots() {
    String user = userIn("cell-1");
    assertThat(WriteGuard.check(TABLE, "cell-1", user))
        .isEqualTo(new Allowed(12, SlotHash.slotOf(user, 1024)));
  }

  @Test
  void refusesUsersOfAnotherCellNamingTheOwner() {
    String user = userIn("cell-2");
    int slot = SlotHash.slotOf(user, 1024);
    assertThat(WriteGuard.check(TABLE, "cell-1", user))
        .isEqualTo(
            new Refused(
                12, slot, "cell-2", "slot " + slot + " belongs to cell cell-2, not cell-1"));
  }

  @Test
  void refusesEveryWriteOfAFencedOrDownCell() {
    String user = userIn("cell-1");
    RoutingTable fenced = TABLE.nextWithRoute("cell-1", r -> r.withState(CellState.FENCED));
    assertThat(WriteGuard.check(fenced, "cell-1", user))
        .isInstanceOfSatisfying(
            Refused.class,
            r -> {
              assertThat(r.epoch()).isEqualTo(13);
              assertThat(r.reason()).isEqualTo("cell cell-1 is FENCED at epoch 13: no writes");
            });
    RoutingTable down = TABLE.nextWithRoute("cell-1", r -> r.withState(CellState.DOWN));
    assertThat(WriteGuard.check(down, "cell-1", user)).isInstanceOf(Refused.class);
  }

  @Test
  void refusesWithoutATable() {
    assertThat(WriteGuard.check(null, "cell-1", "u1"))
        .isEqualTo(new Refused(-1, -1, null, "cell cell-1 has no routing table yet"));
  }
}

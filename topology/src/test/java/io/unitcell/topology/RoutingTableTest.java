package io.unitcell.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unitcell.topology.RoutingTable.InvalidRoutingTableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

  static final Map<String, CellRoute> TWO_CELLS =
      Map.of(
          "cell-a",
          CellRoute.serving("zone-a", "10.0.0.1:8080", "10.0.0.2:8080"),
          "cell-b",
          new CellRoute("zone-b", List.of("[::1]:8081"), CellState.FENCED));

  static RoutingTable twoCells(long epoch) {
    return new RoutingTable(
        epoch, 8, List.of(new SlotRange(0, 3, "cell-a"), new SlotRange(4, 7, "cell-b")), TWO_CELLS);
  }

  @Test
  void roundTripsThroughJson() {
    RoutingTable table = twoCells(7);
    RoutingTable parsed = RoutingTable.fromJson(table.toJson());
    assertThat(parsed).isEqualTo(table);
    assertThat(parsed.toJson()).isEqualTo(table.toJson());
  }

  @Test
  void readsThePublishedFormat() {
    String json =
        """
        {"epoch": 3, "slotCount": 4,
         "slots": [{"from": 2, "to": 3, "cell": "b"}, {"from": 0, "to": 1, "cell": "a"}],
         "cells": {"a": {"zone": "z1", "endpoints": ["h1:1"], "state": "SERVING"},
                   "b": {"zone": "z2", "endpoints": [], "state": "DOWN", "futureField": 1}},
         "publishedBy": "a newer operator"}
        """;
    RoutingTable table = RoutingTable.fromJson(json);
    assertThat(table.epoch()).isEqualTo(3);
    assertThat(table.slots()).containsExactly(new SlotRange(0, 1, "a"), new SlotRange(2, 3, "b"));
    assertThat(table.cellOfSlot(3)).isEqualTo("b");
    assertThat(table.routeOfSlot(0).endpoints()).containsExactly("h1:1");
    assertThat(table.route("b").state()).isEqualTo(CellState.DOWN);
  }

  @Test
  void mergesAdjacentRangesOfOneCell() {
    RoutingTable table =
        new RoutingTable(
            1,
            8,
            List.of(
                new SlotRange(4, 7, "cell-b"),
                new SlotRange(0, 1, "cell-a"),
                new SlotRange(2, 3, "cell-a")),
            TWO_CELLS);
    assertThat(table.slots())
        .containsExactly(new SlotRange(0, 3, "cell-a"), new SlotRange(4, 7, "cell-b"));
    assertThat(table).isEqualTo(twoCells(1));
    assertThat(table.slotCountOf("cell-a")).isEqualTo(4);
  }

  @Test
  void looksUpUsersThroughTheSlotHash() {
    RoutingTable table = twoCells(1);
    for (String user : List.of("u1", "u2", "用户", "alice")) {
      int slot = SlotHash.slotOf(user, 8);
      assertThat(table.slotOfUser(user)).isEqualTo(slot);
      assertThat(table.cellOfUser(user)).isEqualTo(slot < 4 ? "cell-a" : "cell-b");
    }
    assertThatThrownBy(() -> table.cellOfSlot(8))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("slot 8 is outside the slots 0-7");
  }

  @Test
  void reportsGapsAndOverlapsAsRanges() {
    assertThatThrownBy(
            () ->
                new RoutingTable(
                    1,
                    16,
                    List.of(new SlotRange(0, 9, "cell-a"), new SlotRange(6, 11, "cell-b")),
                    TWO_CELLS))
        .isInstanceOf(InvalidRoutingTableException.class)
        .hasMessage(
            "invalid routing table: slots 6-9 are owned by both cell-a and cell-b;"
                + " slots 12-15 are not owned by any cell");
  }

  @Test
  void reportsEveryProblemOfABadTable() {
    InvalidRoutingTableException e =
        (InvalidRoutingTableException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    new RoutingTable(
                        -1,
                        4,
                        List.of(
                            new SlotRange(0, 1, "cell-x"),
                            new SlotRange(3, 2, "cell-a"),
                            new SlotRange(2, 9, "cell-a")),
                        Map.of(
                            "cell-a", new CellRoute("zone-a", List.of(), CellState.SERVING),
                            "Cell_B", new CellRoute("", List.of("nohost"), null))));
    assertThat(e.problems())
        .containsExactlyInAnyOrder(
            "epoch must be 0 or more, got -1",
            "cell name 'Cell_B' must be 1-63 lower-case letters, digits or '-', starting and"
                + " ending with a letter or digit",
            "cell Cell_B: zone is missing",
            "cell Cell_B: state is missing (one of SERVING, FENCED, DOWN)",
            "cell Cell_B: endpoint 'nohost' must be host:port",
            "cell cell-a: SERVING but has no endpoints",
            "slots 0-1 -> cell-x: cell cell-x is not in cells",
            "slots 3-2 -> cell-a: from is greater than to",
            "slots 2-9 -> cell-a: outside the slots 0-3",
            "slots 2-3 are not owned by any cell");
  }

  @Test
  void explainsBadJson() {
    assertThatThrownBy(() -> RoutingTable.fromJson("{\"epoch\": 1,"))
        .isInstanceOf(InvalidRoutingTableException.class)
        .hasMessageStartingWith("invalid routing table: routing table is not valid JSON");
    assertThatThrownBy(
            () ->
                RoutingTable.fromJson(
                    """
                    {"epoch": 1, "slotCount": 1, "slots": [{"from": 0, "to": 0, "cell": "a"}],
                     "cells": {"a": {"zone": "z", "endpoints": ["h:1"], "state": "ACTIVE"}}}
                    """))
        .isInstanceOf(InvalidRoutingTableException.class)
        .hasMessageContaining("at $.cells.a.state")
        .hasMessageContaining("ACTIVE")
        .hasMessageContaining("[DOWN, FENCED, SERVING]");
    assertThatThrownBy(() -> RoutingTable.fromJson("{\"epoch\": 1, \"slots\": [], \"cells\": {}}"))
        .isInstanceOf(InvalidRoutingTableException.class)
        .hasMessageContaining("slotCount");
    assertThatThrownBy(
            () ->
                RoutingTable.fromJson(
                    "{\"epoch\": 1, \"slotCount\": 2, \"slots\": [], \"cells\": {}}"))
        .hasMessage("invalid routing table: slots 0-1 are not owned by any cell");
  }

  @Test
  void epochsDecideWhichTableIsNewer() {
    RoutingTable older = twoCells(4);
    RoutingTable newer = twoCells(5);
    assertThat(newer.isNewerThan(older)).isTrue();
    assertThat(older.isNewerThan(newer)).isFalse();
    assertThat(newer.isNewerThan(newer)).isFalse();
    assertThat(older.isNewerThan(null)).isTrue();
    assertThat(older.sameContentAs(newer)).isTrue();
  }

  @Test
  void nextWithRouteBumpsTheEpochAndKeepsTheSlots() {
    RoutingTable table = twoCells(4);
    RoutingTable next = table.nextWithRoute("cell-a", r -> r.withState(CellState.FENCED));
    assertThat(next.epoch()).isEqualTo(5);
    assertThat(next.route("cell-a").state()).isEqualTo(CellState.FENCED);
    assertThat(next.slots()).isEqualTo(table.slots());
    assertThat(table.route("cell-a").state()).isEqualTo(CellState.SERVING);
    assertThatThrownBy(() -> table.nextWithRoute("cell-z", r -> r))
        .hasMessage("routing table has no cell cell-z");
  }
}

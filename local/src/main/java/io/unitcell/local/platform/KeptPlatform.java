package io.unitcell.local.platform;

import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.state.LocalState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.PlannedCell;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routing table a platform had when it went down, which its kept data belongs to: every user's
 * orders are in the keyspace of the cell that owned the user's slot. A manifest that would route
 * users elsewhere (other cells, slots or weights) is refused, with the way out.
 */
final class KeptPlatform {

  private static final String WIPE =
      "; ./unitcell down --wipe deletes the kept data, or up with the manifest it came from";

  private KeptPlatform() {}

  /** The kept table, checked against {@code manifest}. */
  static RoutingTable table(LocalState state, Manifests.Loaded manifest) throws IOException {
    if (!Files.exists(state.tableFile())) {
      throw new IllegalStateException(
          "data is kept in " + state.platformDir() + " but not its routing table" + WIPE);
    }
    RoutingTable kept = RoutingTable.fromJson(Files.readAllBytes(state.tableFile()));
    Set<String> cells = new TreeSet<>(manifest.cells().stream().map(Manifests.Cell::name).toList());
    if (!cells.equals(new TreeSet<>(kept.cells().keySet()))) {
      throw new IllegalStateException(
          "the kept data is of cells "
              + new TreeSet<>(kept.cells().keySet())
              + ", this manifest has "
              + cells
              + WIPE);
    }
    List<PlannedCell> sameRoutes =
        manifest.cells().stream()
            .map(c -> new PlannedCell(c.name(), c.weight(), kept.route(c.name())))
            .toList();
    RoutingTable replanned;
    try {
      replanned = Planner.nextTable(kept, manifest.topology().slots(), sameRoutes);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage() + WIPE);
    }
    int moved = Planner.movedSlots(kept.ownerBySlot(), replanned.ownerBySlot());
    if (moved > 0) {
      throw new IllegalStateException(
          "this manifest's weights would move "
              + moved
              + " slots away from the cells whose databases hold their users' orders"
              + WIPE);
    }
    return kept;
  }
}

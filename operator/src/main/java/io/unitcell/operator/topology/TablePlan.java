package io.unitcell.operator.topology;

import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Drain;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.PlannedCell;
import io.unitcell.topology.RoutingTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The next routing table of a topology, from the previous one and its cells; pure (no API calls),
 * so every rule below is unit-tested.
 *
 * <ul>
 *   <li>Cells get slots in proportion to their weights, moving as few as possible ({@link
 *       Planner}); the epoch moves only when the table changes.
 *   <li>A cell with a valid {@code spec.drain} is first fenced (state FENCED: routers hold its
 *       writes, reads go on) and its fence epoch is kept in the topology's status. Only once {@code
 *       spec.drain.dataMovedAtEpoch} is at least that epoch do its slots go to {@code
 *       spec.drain.to}, and the cell leaves the table. While the drained cell exists its weight
 *       counts for the target, so the planner does not spread the slots on.
 *   <li>A cell being deleted, or naming a zone the topology lacks, gets no slots unless it already
 *       has some (taking them away would orphan its users' data; deleting such a cell is refused).
 * </ul>
 *
 * @param next the table to publish (the previous instance when nothing changed), or null when no
 *     cell can take slots
 * @param fenced cells fenced for a drain → the epoch their fence was published at
 * @param fencedNow cells fenced by this table
 * @param movedNow cells whose slots this table gives to their drain target → that target
 * @param drainNotes what each drain waits for, or why it is refused; empty without drains
 * @param excluded cells given no slots and why (e.g. an unknown zone)
 * @param absorbed weight each cell carries for cells drained into it, added to its own
 */
public record TablePlan(
    RoutingTable next,
    Map<String, Long> fenced,
    List<String> fencedNow,
    Map<String, String> movedNow,
    String drainNotes,
    Map<String, String> excluded,
    Map<String, Integer> absorbed) {

  public static TablePlan of(
      RoutingTable previous,
      int slotCount,
      List<Cell> cells,
      Set<String> zones,
      String namespace,
      Map<String, Long> fencedBefore,
      Map<String, Integer> absorbedBefore) {
    Map<String, Cell> byName = new HashMap<>();
    cells.forEach(c -> byName.put(c.getMetadata().getName(), c));
    Map<String, Long> fenced = new TreeMap<>();
    List<String> fencedNow = new ArrayList<>();
    Map<String, String> movedNow = new TreeMap<>();
    Map<String, String> excluded = new TreeMap<>();
    List<String> notes = new ArrayList<>();
    Map<String, Integer> absorbed = new TreeMap<>();
    if (absorbedBefore != null && previous != null) {
      absorbedBefore.forEach(
          (cell, weight) -> {
            if (previous.cells().containsKey(cell)) {
              absorbed.put(cell, weight);
            }
          });
    }
    Map<String, CellState> states = new LinkedHashMap<>();

    for (Cell cell : cells) {
      String name = cell.getMetadata().getName();
      boolean inTable = previous != null && previous.cells().containsKey(name);
      Drain drain = cell.getSpec().getDrain();
      String drainProblem = drain == null ? null : drainProblem(name, drain, byName);
      if (drain != null && drainProblem == null) {
        String target = drain.getTo();
        Long fencedAt = fencedBefore == null ? null : fencedBefore.get(name);
        boolean isFenced =
            inTable && fencedAt != null && previous.route(name).state() == CellState.FENCED;
        Long dataMoved = drain.getDataMovedAtEpoch();
        if (!inTable) {
          notes.add(name + ": drained to " + target + ", owns no slots");
        } else if (isFenced && dataMoved != null && dataMoved >= fencedAt) {
          movedNow.put(name, target);
          int carried = cell.getSpec().getWeight() + absorbed.getOrDefault(name, 0);
          absorbed.remove(name);
          absorbed.merge(target, carried, Integer::sum);
          notes.add(name + ": slots moved to " + target);
        } else if (isFenced) {
          fenced.put(name, fencedAt);
          states.put(name, CellState.FENCED);
          notes.add(
              name
                  + ": fenced at epoch "
                  + fencedAt
                  + "; copy its data to "
                  + target
                  + ", then set spec.drain.dataMovedAtEpoch to "
                  + fencedAt
                  + (dataMoved != null
                      ? " (" + dataMoved + " is before the fence: copy again after it)"
                      : ""));
        } else {
          fencedNow.add(name);
          states.put(name, CellState.FENCED);
          notes.add(name + ": fencing its slots before they move to " + target);
        }
        continue;
      }
      if (drainProblem != null) {
        notes.add(name + ": drain refused: " + drainProblem);
      }
      if (!inTable && cell.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String unknownZone = unknownZone(cell, zones);
      if (!inTable && unknownZone != null) {
        excluded.put(name, "zone " + unknownZone + " is not a zone of the topology");
        continue;
      }
      states.put(name, CellState.SERVING);
    }

    if (states.isEmpty()) {
      return new TablePlan(
          null, fenced, fencedNow, movedNow, String.join("; ", notes), excluded, absorbed);
    }
    RoutingTable base = previous;
    if (!movedNow.isEmpty()) {
      String[] owners = previous.ownerBySlot();
      for (int slot = 0; slot < owners.length; slot++) {
        String target = movedNow.get(owners[slot]);
        if (target != null) {
          owners[slot] = target;
        }
      }
      base = RoutingTable.of(previous.epoch(), owners, previous.cells());
    }
    List<PlannedCell> planned = new ArrayList<>();
    states.forEach(
        (name, state) -> {
          Cell cell = byName.get(name);
          String zone =
              cell.getStatus() != null && cell.getStatus().getActiveZone() != null
                  ? cell.getStatus().getActiveZone()
                  : cell.getSpec().getPrimaryZone();
          String endpoint = name + "." + namespace + ".svc:" + TopologyReconciler.CELL_PORT;
          planned.add(
              new PlannedCell(
                  name,
                  cell.getSpec().getWeight() + absorbed.getOrDefault(name, 0),
                  new CellRoute(zone, List.of(endpoint), state)));
        });
    RoutingTable next = Planner.nextTable(base, slotCount, planned);
    if (next == base && base != previous) {
      next = base.withEpoch(previous.epoch() + 1);
    }
    long epoch = next.epoch();
    fencedNow.forEach(name -> fenced.put(name, epoch));
    return new TablePlan(
        next, fenced, fencedNow, movedNow, String.join("; ", notes), excluded, absorbed);
  }

  private static String drainProblem(String name, Drain drain, Map<String, Cell> cells) {
    Cell target = cells.get(drain.getTo());
    if (drain.getTo().equals(name)) {
      return "a cell cannot drain to itself";
    }
    if (target == null) {
      return "no cell " + drain.getTo() + " in this topology";
    }
    if (target.getMetadata().getDeletionTimestamp() != null) {
      return "target " + drain.getTo() + " is being deleted";
    }
    if (target.getSpec().getDrain() != null) {
      return "target " + drain.getTo() + " is itself being drained";
    }
    return null;
  }

  private static String unknownZone(Cell cell, Set<String> zones) {
    for (String zone : List.of(cell.getSpec().getPrimaryZone(), cell.getSpec().getStandbyZone())) {
      if (!zones.contains(zone)) {
        return zone;
      }
    }
    return null;
  }
}

package io.unitcell.operator.topology;

import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Drain;
import io.unitcell.operator.naming.CellNames;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.CellWeight;
import io.unitcell.topology.RoutingTable;
import java.util.ArrayList;
import java.util.BitSet;
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
 *   <li>Serving cells share the <em>free</em> slots in proportion to their weights, moving as few
 *       as possible ({@link Planner}); the epoch moves only when the table changes.
 *   <li>A cell with a valid {@code spec.drain} is first fenced (state FENCED: routers hold its
 *       writes, reads go on) at epoch F. Its slots are frozen while it is fenced: no planning moves
 *       them. Only when {@code spec.drain.dataMovedAtEpoch} equals F (the person who copied the
 *       data names the fence the copy started after) do all of them go to {@code spec.drain.to},
 *       and the cell leaves the table.
 *   <li>Slots a drain gave to its target stay <em>pinned</em> to it: the planner never moves them
 *       on, since that would move users' data without a fence. The target also keeps its share of
 *       the free slots. When the target is drained in turn, its pinned slots go with the rest.
 *   <li>A cell being deleted, or naming a zone the topology lacks, gets no slots unless it already
 *       has some (taking them away would orphan its users' data).
 * </ul>
 *
 * Fence epochs and pinned slots are kept on the table's ConfigMap ({@link RoutingTableConfigMap}),
 * written in the same request as the table they belong to.
 *
 * @param next the table to publish (the previous instance when nothing changed), or null when no
 *     cell can take slots
 * @param fenced cells fenced for a drain → the epoch their fence was published at
 * @param fencedNow cells fenced by this table
 * @param movedNow cells whose slots this table gives to their drain target → that target
 * @param drainNotes what each drain waits for, or why it is refused; empty without drains
 * @param excluded cells given no slots and why (e.g. an unknown zone)
 * @param pinned slots each cell holds from drains, never moved by planning
 */
public record TablePlan(
    RoutingTable next,
    Map<String, Long> fenced,
    List<String> fencedNow,
    Map<String, String> movedNow,
    String drainNotes,
    Map<String, String> excluded,
    Map<String, BitSet> pinned) {

  /**
   * @param lastEpoch the highest epoch published before (from the topology's status), so that a
   *     table rebuilt after the published one was lost still moves forward
   */
  public static TablePlan of(
      RoutingTable previous,
      long lastEpoch,
      int slotCount,
      List<Cell> cells,
      Set<String> zones,
      String namespace,
      Map<String, Long> fencedBefore,
      Map<String, BitSet> pinnedBefore) {
    Map<String, Cell> byName = new HashMap<>();
    cells.forEach(c -> byName.put(c.getMetadata().getName(), c));
    String[] owners = previous == null ? new String[slotCount] : previous.ownerBySlot();
    BitSet frozen = new BitSet(slotCount);
    Map<String, BitSet> pinned = new TreeMap<>();
    Map<String, Long> fenced = new TreeMap<>();
    List<String> fencedNow = new ArrayList<>();
    Map<String, String> movedNow = new TreeMap<>();
    Map<String, String> excluded = new TreeMap<>();
    List<String> notes = new ArrayList<>();
    Map<String, CellRoute> routes = new TreeMap<>();
    Map<String, Cell> serving = new LinkedHashMap<>();
    if (pinnedBefore != null && previous != null) {
      pinnedBefore.forEach(
          (cell, slots) -> {
            BitSet kept = slotsOf(owners, cell);
            kept.and(slots);
            if (!kept.isEmpty()) {
              pinned.put(cell, kept);
            }
          });
    }

    for (Cell cell : cells) {
      String name = cell.getMetadata().getName();
      boolean inTable = previous != null && previous.cells().containsKey(name);
      Drain drain = cell.getSpec().getDrain();
      String drainProblem = drain == null ? null : drainProblem(name, drain, byName, previous);
      if (drain != null && drainProblem == null) {
        String target = drain.getTo();
        if (!inTable) {
          notes.add(name + ": drained to " + target + ", owns no slots");
          continue;
        }
        Long fencedAt = fencedBefore == null ? null : fencedBefore.get(name);
        boolean isFenced = fencedAt != null && previous.route(name).state() == CellState.FENCED;
        Long dataMoved = drain.getDataMovedAtEpoch();
        BitSet own = slotsOf(owners, name);
        if (isFenced && fencedAt.equals(dataMoved)) {
          own.stream().forEach(slot -> owners[slot] = target);
          frozen.or(own);
          pinned.remove(name);
          pinned.computeIfAbsent(target, t -> new BitSet(slotCount)).or(own);
          movedNow.put(name, target);
          notes.add(name + ": slots moved to " + target);
          continue;
        }
        frozen.or(own);
        routes.put(name, route(cell, namespace, CellState.FENCED));
        if (isFenced) {
          fenced.put(name, fencedAt);
          notes.add(
              name
                  + ": fenced at epoch "
                  + fencedAt
                  + "; copy its data to "
                  + target
                  + ", then set spec.drain.dataMovedAtEpoch to "
                  + fencedAt
                  + (dataMoved != null
                      ? " (" + dataMoved + " does not name that fence: not accepted)"
                      : ""));
        } else {
          fencedNow.add(name);
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
      serving.put(name, cell);
      routes.put(name, route(cell, namespace, CellState.SERVING));
    }
    pinned.values().forEach(frozen::or);

    // the free slots: everything not fenced or pinned, shared by the serving cells' weights
    int[] free = frozen.stream().count() == slotCount ? new int[0] : freeSlots(frozen, slotCount);
    if (free.length > 0) {
      if (serving.isEmpty()) {
        return new TablePlan(
            null, fenced, fencedNow, movedNow, String.join("; ", notes), excluded, pinned);
      }
      String[] current = new String[free.length];
      for (int i = 0; i < free.length; i++) {
        String owner = owners[free[i]];
        current[i] = owner != null && serving.containsKey(owner) ? owner : null;
      }
      List<CellWeight> weights =
          serving.values().stream()
              .map(c -> new CellWeight(c.getMetadata().getName(), c.getSpec().getWeight()))
              .toList();
      String[] planned = Planner.rebalance(current, weights);
      for (int i = 0; i < free.length; i++) {
        owners[free[i]] = planned[i];
      }
    }
    RoutingTable next =
        RoutingTable.of(
            Math.max(previous == null ? 0 : previous.epoch(), lastEpoch) + 1, owners, routes);
    if (previous != null && next.sameContentAs(previous)) {
      next = previous;
    }
    long epoch = next.epoch();
    fencedNow.forEach(name -> fenced.put(name, epoch));
    return new TablePlan(
        next, fenced, fencedNow, movedNow, String.join("; ", notes), excluded, pinned);
  }

  private static BitSet slotsOf(String[] owners, String cell) {
    BitSet slots = new BitSet(owners.length);
    for (int slot = 0; slot < owners.length; slot++) {
      if (cell.equals(owners[slot])) {
        slots.set(slot);
      }
    }
    return slots;
  }

  private static int[] freeSlots(BitSet frozen, int slotCount) {
    BitSet free = new BitSet(slotCount);
    free.set(0, slotCount);
    free.andNot(frozen);
    return free.stream().toArray();
  }

  private static CellRoute route(Cell cell, String namespace, CellState state) {
    return new CellRoute(
        CellNames.activeZone(cell), List.of(CellNames.endpoint(cell, namespace)), state);
  }

  private static String drainProblem(
      String name, Drain drain, Map<String, Cell> cells, RoutingTable previous) {
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
    if (previous == null || !previous.cells().containsKey(drain.getTo())) {
      return "target " + drain.getTo() + " is not in the routing table yet";
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

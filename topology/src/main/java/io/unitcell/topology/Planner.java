package io.unitcell.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Assigns slots to cells in proportion to their weights, moving as few slots as possible when cells
 * come, go or change weight.
 *
 * <p>Each cell gets {@code floor} or {@code ceil} of its ideal share {@code S * w / W} (so within
 * one slot of it). Of the cells whose share is fractional, the ones that already hold more than the
 * floor get the extra slot first (that keeps a slot in place instead of moving it), then the larger
 * fractions, then the smaller names. A cell keeps as many of its current slots as its quota allows
 * (its lowest ones); the freed slots go, in slot order, to the cells below their quota, in name
 * order. No assignment within one slot of the ideal shares moves fewer slots. The result depends
 * only on the inputs' values, not on their order.
 */
public final class Planner {

  /** Largest weight of one cell. */
  public static final int MAX_WEIGHT = 1_000_000;

  private Planner() {}

  /** A cell as the planner sees it: a name and a non-negative weight. */
  public record CellWeight(String name, int weight) {
    public CellWeight {
      if (!Names.isDnsLabel(name)) {
        throw new IllegalArgumentException("cell name '" + name + "' " + Names.DNS_LABEL_RULE);
      }
      if (weight < 0 || weight > MAX_WEIGHT) {
        throw new IllegalArgumentException(
            "cell " + name + ": weight must be between 0 and " + MAX_WEIGHT + ", got " + weight);
      }
    }
  }

  /** A cell to publish: its weight and where it is served. */
  public record PlannedCell(String name, int weight, CellRoute route) {
    CellWeight cellWeight() {
      return new CellWeight(name, weight);
    }
  }

  /** A fresh assignment of {@code slotCount} slots. */
  public static String[] assign(int slotCount, List<CellWeight> cells) {
    return rebalance(new String[SlotHash.checkSlotCount(slotCount)], cells);
  }

  /**
   * The assignment closest to {@code current} that gives every cell its share. Slots owned by cells
   * no longer listed, or by nobody ({@code null}), are reassigned.
   *
   * @param current the owner of each slot now; its length is the slot count
   * @throws IllegalArgumentException when cells repeat a name or all weights are 0
   */
  public static String[] rebalance(String[] current, List<CellWeight> cells) {
    int slotCount = SlotHash.checkSlotCount(current.length);
    List<CellWeight> sorted = sortedUnique(cells);
    long totalWeight = sorted.stream().mapToLong(CellWeight::weight).sum();
    if (totalWeight == 0) {
      throw new IllegalArgumentException("at least one cell must have a weight above 0");
    }

    Map<String, Integer> held = new HashMap<>();
    for (String owner : current) {
      if (owner != null) {
        held.merge(owner, 1, Integer::sum);
      }
    }
    Map<String, Integer> quota = quotas(slotCount, sorted, totalWeight, held);

    String[] next = new String[slotCount];
    Map<String, Integer> kept = new HashMap<>();
    for (int slot = 0; slot < slotCount; slot++) {
      String owner = current[slot];
      if (owner != null && kept.getOrDefault(owner, 0) < quota.getOrDefault(owner, 0)) {
        next[slot] = owner;
        kept.merge(owner, 1, Integer::sum);
      }
    }
    int slot = 0;
    for (CellWeight cell : sorted) {
      int missing = quota.get(cell.name()) - kept.getOrDefault(cell.name(), 0);
      for (; missing > 0; slot++) {
        if (next[slot] == null) {
          next[slot] = cell.name();
          missing--;
        }
      }
    }
    return next;
  }

  /**
   * The next routing table for these cells: slots rebalanced from {@code previous} (or assigned
   * afresh when it is null), routes taken from the cells. Returns {@code previous} itself when
   * nothing changed, so its epoch moves only on a real change.
   */
  public static RoutingTable nextTable(
      RoutingTable previous, int slotCount, List<PlannedCell> cells) {
    List<CellWeight> weights = cells.stream().map(PlannedCell::cellWeight).toList();
    if (previous != null && previous.slotCount() != slotCount) {
      throw new IllegalArgumentException(
          "slot count is fixed at "
              + previous.slotCount()
              + "; changing it to "
              + slotCount
              + " would move every user");
    }
    String[] current =
        previous != null ? previous.ownerBySlot() : new String[SlotHash.checkSlotCount(slotCount)];
    Map<String, CellRoute> routes = new TreeMap<>();
    for (PlannedCell cell : cells) {
      routes.put(cell.name(), cell.route());
    }
    String[] owners = rebalance(current, weights);
    long epoch = previous == null ? 1 : previous.epoch() + 1;
    RoutingTable next = RoutingTable.of(epoch, owners, routes);
    return next.sameContentAs(previous) ? previous : next;
  }

  /** How many slots change owner between two assignments of the same slot space. */
  public static int movedSlots(String[] before, String[] after) {
    if (before.length != after.length) {
      throw new IllegalArgumentException("assignments of different slot counts");
    }
    int moved = 0;
    for (int slot = 0; slot < before.length; slot++) {
      if (before[slot] == null || !before[slot].equals(after[slot])) {
        moved++;
      }
    }
    return moved;
  }

  private static Map<String, Integer> quotas(
      int slotCount, List<CellWeight> cells, long totalWeight, Map<String, Integer> held) {
    Map<String, Integer> quota = new HashMap<>();
    List<CellWeight> fractional = new ArrayList<>();
    Map<String, Long> remainder = new HashMap<>();
    int assigned = 0;
    for (CellWeight cell : cells) {
      long scaled = (long) slotCount * cell.weight();
      int floor = (int) (scaled / totalWeight);
      quota.put(cell.name(), floor);
      assigned += floor;
      if (scaled % totalWeight != 0) {
        fractional.add(cell);
        remainder.put(cell.name(), scaled % totalWeight);
      }
    }
    // keeping a slot in place beats moving one; then largest fraction; then name
    fractional.sort(
        Comparator.<CellWeight>comparingInt(
                c -> held.getOrDefault(c.name(), 0) > quota.get(c.name()) ? 0 : 1)
            .thenComparing(c -> -remainder.get(c.name()))
            .thenComparing(CellWeight::name));
    for (int i = 0; i < slotCount - assigned; i++) {
      quota.merge(fractional.get(i).name(), 1, Integer::sum);
    }
    return quota;
  }

  private static List<CellWeight> sortedUnique(List<CellWeight> cells) {
    Set<String> names = new HashSet<>();
    for (CellWeight cell : cells) {
      if (!names.add(cell.name())) {
        throw new IllegalArgumentException("cell " + cell.name() + " is listed twice");
      }
    }
    CellWeight[] sorted = cells.toArray(CellWeight[]::new);
    Arrays.sort(sorted, Comparator.comparing(CellWeight::name));
    return List.of(sorted);
  }
}

package io.unitcell.topology;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The routing table of a topology: an epoch, which cell owns each slot, and where each cell is
 * served. Immutable and always valid: every slot is owned by exactly one cell, every referenced
 * cell exists, every cell has a zone and a state, and serving cells have endpoints.
 *
 * <p>Every change is published under a higher epoch; nobody applies a table that is not {@link
 * #isNewerThan newer} than the one it holds. Lookups by slot are array reads, for the router's hot
 * path.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"epoch", "slotCount", "slots", "cells"})
public final class RoutingTable {

  private static final int MAX_PROBLEMS_REPORTED = 20;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  private final long epoch;
  private final int slotCount;
  private final List<SlotRange> slots;
  private final Map<String, CellRoute> cells;

  // derived, for O(1) lookups
  private final String[] cellBySlot;
  private final CellRoute[] routeBySlot;

  /**
   * A table from its parts.
   *
   * @throws InvalidRoutingTableException listing every problem (up to 20) when the parts do not
   *     make a valid table
   */
  @JsonCreator
  public RoutingTable(
      @JsonProperty(value = "epoch", required = true) long epoch,
      @JsonProperty(value = "slotCount", required = true) int slotCount,
      @JsonProperty(value = "slots", required = true) List<SlotRange> slots,
      @JsonProperty(value = "cells", required = true) Map<String, CellRoute> cells) {
    List<String> problems = new ArrayList<>();
    if (epoch < 0) {
      problems.add("epoch must be 0 or more, got " + epoch);
    }
    if (slotCount < 1 || slotCount > SlotHash.MAX_SLOTS) {
      throw new InvalidRoutingTableException(
          List.of("slotCount must be between 1 and " + SlotHash.MAX_SLOTS + ", got " + slotCount));
    }
    Map<String, CellRoute> sortedCells = new TreeMap<>();
    if (cells != null) {
      cells.forEach(
          (name, route) -> {
            if (!Names.isDnsLabel(name)) {
              problems.add("cell name '" + name + "' " + Names.DNS_LABEL_RULE);
            }
            if (route == null) {
              problems.add("cell " + name + ": route is missing");
            } else {
              problems.addAll(route.problems(name));
              sortedCells.put(name, route);
            }
          });
    }
    String[] owners = new String[slotCount];
    for (SlotRange range : slots == null ? List.<SlotRange>of() : slots) {
      if (range == null) {
        problems.add("slots: an entry is null");
        continue;
      }
      if (range.cell() == null || !sortedCells.containsKey(range.cell())) {
        problems.add(range + ": cell " + range.cell() + " is not in cells");
      }
      if (range.from() > range.to()) {
        problems.add(range + ": from is greater than to");
        continue;
      }
      if (range.from() < 0 || range.to() >= slotCount) {
        problems.add(range + ": outside the slots 0-" + (slotCount - 1));
        continue;
      }
      int clashFrom = -1;
      for (int slot = range.from(); slot <= range.to() + 1; slot++) {
        boolean clash = slot <= range.to() && owners[slot] != null;
        if (clash && clashFrom < 0) {
          clashFrom = slot;
        } else if (!clash && clashFrom >= 0) {
          problems.add(
              slotsText(clashFrom, slot - 1)
                  + " owned by both "
                  + owners[clashFrom]
                  + " and "
                  + range.cell());
          clashFrom = -1;
        }
        if (slot <= range.to() && owners[slot] == null) {
          owners[slot] = range.cell();
        }
      }
    }
    problems.addAll(unownedSlotProblems(owners));
    if (!problems.isEmpty()) {
      throw new InvalidRoutingTableException(problems);
    }
    this.epoch = epoch;
    this.slotCount = slotCount;
    this.cells = Collections.unmodifiableMap(sortedCells);
    this.cellBySlot = owners;
    this.slots = toRanges(owners);
    this.routeBySlot = new CellRoute[slotCount];
    for (int slot = 0; slot < slotCount; slot++) {
      routeBySlot[slot] = sortedCells.get(owners[slot]);
    }
  }

  /** A table where {@code ownerBySlot[s]} owns slot {@code s}. */
  public static RoutingTable of(long epoch, String[] ownerBySlot, Map<String, CellRoute> cells) {
    return new RoutingTable(epoch, ownerBySlot.length, toRanges(ownerBySlot), cells);
  }

  /** Parses and validates a table. */
  public static RoutingTable fromJson(String json) {
    try {
      return JSON.readValue(json, RoutingTable.class);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof InvalidRoutingTableException invalid) {
        throw invalid;
      }
      throw new InvalidRoutingTableException(List.of(describe(e)));
    } catch (JsonMappingException e) {
      throw new InvalidRoutingTableException(List.of(describe(e)));
    } catch (JsonProcessingException e) {
      throw new InvalidRoutingTableException(
          List.of("routing table is not valid JSON: " + e.getOriginalMessage()));
    }
  }

  /** Parses and validates a table from UTF-8 JSON bytes. */
  public static RoutingTable fromJson(byte[] json) {
    return fromJson(new String(json, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Canonical JSON: slot ranges in order, adjacent ranges of a cell merged, cells by name. */
  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException("a valid routing table always serialises", e);
    }
  }

  @JsonProperty
  public long epoch() {
    return epoch;
  }

  @JsonProperty
  public int slotCount() {
    return slotCount;
  }

  /** The slot ranges, in slot order, adjacent ranges of one cell merged. */
  @JsonProperty
  public List<SlotRange> slots() {
    return slots;
  }

  /** Each cell's route, by cell name. */
  @JsonProperty
  public Map<String, CellRoute> cells() {
    return cells;
  }

  /** Whether this table is newer than {@code other}, i.e. should replace it. */
  public boolean isNewerThan(RoutingTable other) {
    return other == null || epoch > other.epoch;
  }

  /** The cell owning {@code slot}. */
  public String cellOfSlot(int slot) {
    return cellBySlot[checkSlot(slot)];
  }

  /** The route of the cell owning {@code slot}. */
  public CellRoute routeOfSlot(int slot) {
    return routeBySlot[checkSlot(slot)];
  }

  /** The slot of a user in this table's slot space. */
  public int slotOfUser(String userId) {
    return SlotHash.slotOf(userId, slotCount);
  }

  /** The cell owning a user's slot. */
  public String cellOfUser(String userId) {
    return cellBySlot[slotOfUser(userId)];
  }

  /** The route of a cell, or null when the table has no such cell. */
  public CellRoute route(String cell) {
    return cells.get(cell);
  }

  /** How many slots {@code cell} owns. */
  public int slotCountOf(String cell) {
    int count = 0;
    for (SlotRange range : slots) {
      if (range.cell().equals(cell)) {
        count += range.size();
      }
    }
    return count;
  }

  /** A copy of the owner of each slot. */
  @JsonIgnore
  public String[] ownerBySlot() {
    return cellBySlot.clone();
  }

  /**
   * The table at {@code epoch + 1} with one cell's route changed.
   *
   * @throws IllegalArgumentException when the table has no such cell
   */
  public RoutingTable nextWithRoute(String cell, UnaryOperator<CellRoute> change) {
    CellRoute current = cells.get(cell);
    if (current == null) {
      throw new IllegalArgumentException("routing table has no cell " + cell);
    }
    Map<String, CellRoute> changed = new TreeMap<>(cells);
    changed.put(cell, change.apply(current));
    return new RoutingTable(epoch + 1, slotCount, slots, changed);
  }

  /** The same content under another epoch. */
  public RoutingTable withEpoch(long newEpoch) {
    return new RoutingTable(newEpoch, slotCount, slots, cells);
  }

  /** Whether both tables say the same, whatever their epochs. */
  public boolean sameContentAs(RoutingTable other) {
    return other != null
        && slotCount == other.slotCount
        && slots.equals(other.slots)
        && cells.equals(other.cells);
  }

  private int checkSlot(int slot) {
    if (slot < 0 || slot >= slotCount) {
      throw new IndexOutOfBoundsException(
          "slot " + slot + " is outside the slots 0-" + (slotCount - 1));
    }
    return slot;
  }

  private static List<String> unownedSlotProblems(String[] owners) {
    List<String> problems = new ArrayList<>();
    int start = -1;
    for (int slot = 0; slot <= owners.length; slot++) {
      boolean unowned = slot < owners.length && owners[slot] == null;
      if (unowned && start < 0) {
        start = slot;
      } else if (!unowned && start >= 0) {
        problems.add(slotsText(start, slot - 1) + " not owned by any cell");
        start = -1;
      }
    }
    return problems;
  }

  private static String slotsText(int from, int to) {
    return from == to ? "slot " + from + " is" : "slots " + from + "-" + to + " are";
  }

  private static List<SlotRange> toRanges(String[] owners) {
    List<SlotRange> ranges = new ArrayList<>();
    int start = 0;
    for (int slot = 1; slot <= owners.length; slot++) {
      if (slot == owners.length || !Objects.equals(owners[slot], owners[start])) {
        ranges.add(new SlotRange(start, slot - 1, owners[start]));
        start = slot;
      }
    }
    return List.copyOf(ranges);
  }

  private static String describe(JsonMappingException e) {
    StringBuilder path = new StringBuilder("$");
    for (JsonMappingException.Reference ref : e.getPath()) {
      path.append(
          ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
    }
    return "routing table JSON is invalid at " + path + ": " + e.getOriginalMessage();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoutingTable other && epoch == other.epoch && sameContentAs(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, slotCount, slots, cells);
  }

  @Override
  public String toString() {
    return "RoutingTable{epoch="
        + epoch
        + ", slotCount="
        + slotCount
        + ", slots="
        + slots
        + ", cells="
        + cells
        + '}';
  }

  /** A routing table that breaks the rules; the message lists what is wrong. */
  public static final class InvalidRoutingTableException extends IllegalArgumentException {
    private final List<String> problems;

    InvalidRoutingTableException(List<String> problems) {
      super(summary(problems));
      this.problems = List.copyOf(problems);
    }

    /** Every problem found, one sentence each. */
    public List<String> problems() {
      return problems;
    }

    private static String summary(List<String> problems) {
      List<String> shown = problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS_REPORTED));
      String more =
          problems.size() > shown.size()
              ? "; and " + (problems.size() - shown.size()) + " more"
              : "";
      return "invalid routing table: " + String.join("; ", shown) + more;
    }
  }
}

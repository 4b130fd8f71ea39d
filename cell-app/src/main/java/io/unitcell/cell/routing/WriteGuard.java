package io.unitcell.cell.routing;

import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.RoutingTable;

/**
 * Whether this cell may write a user's data, by its newest routing table: only when the user's slot
 * belongs to this cell and the cell is {@link CellState#SERVING}. Anything else is refused with
 * {@code 421 Misdirected Request} and the cell's epoch, so the router refreshes its table and two
 * cells never write one user's data, also during a switchover.
 */
public final class WriteGuard {

  private WriteGuard() {}

  /** The answer for one user. */
  public sealed interface Decision {
    /** The epoch of the table the decision was made with (-1 without a table). */
    long epoch();
  }

  /** Write away. */
  public record Allowed(long epoch, int slot) implements Decision {}

  /** Not ours, fenced, down, or no table yet; {@code reason} is fit for a 421 body. */
  public record Refused(long epoch, int slot, String ownerCell, String reason)
      implements Decision {}

  /** Decides for {@code userId} (already validated) as cell {@code cell} holding {@code table}. */
  public static Decision check(RoutingTable table, String cell, String userId) {
    if (table == null) {
      return new Refused(-1, -1, null, "cell " + cell + " has no routing table yet");
    }
    int slot = table.slotOfUser(userId);
    String owner = table.cellOfSlot(slot);
    if (!owner.equals(cell)) {
      return new Refused(
          table.epoch(),
          slot,
          owner,
          "slot " + slot + " belongs to cell " + owner + ", not " + cell);
    }
    CellRoute route = table.route(cell);
    if (route.state() != CellState.SERVING) {
      return new Refused(
          table.epoch(),
          slot,
          owner,
          "cell " + cell + " is " + route.state() + " at epoch " + table.epoch() + ": no writes");
    }
    return new Allowed(table.epoch(), slot);
  }
}

package io.unitcell.topology;

/** What a cell does with its slots, as published in the routing table. */
public enum CellState {
  /** The cell serves reads and writes for its slots in its active zone. */
  SERVING,
  /** No cell accepts writes for these slots (a switchover is under way); reads go on. */
  FENCED,
  /** The cell cannot serve at all (its zone failed and no standby has taken over yet). */
  DOWN;

  /** Whether writes for the cell's slots may be accepted. */
  public boolean acceptsWrites() {
    return this == SERVING;
  }
}

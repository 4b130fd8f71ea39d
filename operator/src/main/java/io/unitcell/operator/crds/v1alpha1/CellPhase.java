package io.unitcell.operator.crds.v1alpha1;

/** Where a cell stands, from the published routing table and its active zone's instances. */
public enum CellPhase {
  /** Not in the routing table yet, or in it without a ready instance in its active zone. */
  Pending,
  /** In the routing table with a ready instance in its active zone. */
  Serving,
  /** Fenced for a drain: no cell accepts writes for its slots, reads go on. */
  Fenced,
  /** Drained: its slots moved to {@code spec.drain.to}; it owns none. */
  Drained,
  /** The routing table marks it down. */
  Down
}

package io.unitcell.operator.naming;

/** Label keys and values on what the operator makes. */
public final class Labels {
  private Labels() {}

  /** The topology a router or a routing-table ConfigMap belongs to. */
  public static final String TOPOLOGY = "unitcell.io/topology";

  /** The cell an object belongs to. */
  public static final String CELL = "unitcell.io/cell";

  /** A cell pod's role: {@link CellNames#ACTIVE} or {@link CellNames#STANDBY}. */
  public static final String ROLE = "unitcell.io/role";

  /** The well-known zone label of nodes, also put on the cells' pods. */
  public static final String ZONE = "topology.kubernetes.io/zone";

  public static final String NAME = "app.kubernetes.io/name";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The value of {@link #MANAGED_BY}. */
  public static final String OPERATOR = "unitcell-operator";
}

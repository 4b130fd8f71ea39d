package io.unitcell.operator.naming;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.unitcell.operator.crds.v1alpha1.Cell;
import java.util.Map;

/** Names, labels and the port of what the operator makes for a cell. */
public final class CellNames {
  private CellNames() {}

  /** Port the cells' Services and containers listen on. */
  public static final int PORT = 8080;

  /** Role of the active zone's pods ({@link Labels#ROLE}). */
  public static final String ACTIVE = "active";

  /** Role of the standby zone's warm pods ({@link Labels#ROLE}). */
  public static final String STANDBY = "standby";

  /** Where the cell app finds its topology's routing table ({@link TableNames#KEY} in it). */
  public static final String TABLE_DIRECTORY = "/etc/unitcell";

  /** The zone serving the cell now (its primary zone until a failover says otherwise). */
  public static String activeZone(Cell cell) {
    return cell.getStatus() != null && cell.getStatus().getActiveZone() != null
        ? cell.getStatus().getActiveZone()
        : cell.getSpec().getPrimaryZone();
  }

  /** The zone kept warm. */
  public static String standbyZone(Cell cell) {
    String active = activeZone(cell);
    return active.equals(cell.getSpec().getPrimaryZone())
        ? cell.getSpec().getStandbyZone()
        : cell.getSpec().getPrimaryZone();
  }

  public static String deployment(Cell cell, String zone) {
    return cell.getMetadata().getName() + "-" + zone;
  }

  public static String config(Cell cell) {
    return cell.getMetadata().getName() + "-config";
  }

  /** The cell's address in the routing table: its Service ({@code <cell>.<namespace>.svc:8080}). */
  public static String endpoint(Cell cell, String namespace) {
    return cell.getMetadata().getName() + "." + namespace + ".svc:" + PORT;
  }

  /** Metadata of an object the cell owns: its name, the cell's namespace and cell label. */
  public static ObjectMeta metadata(Cell cell, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cell.getMetadata().getNamespace())
        .addToLabels(Labels.CELL, cell.getMetadata().getName())
        .build();
  }

  /** Labels of the cell's pods in {@code zone}, as {@link #ACTIVE} or {@link #STANDBY}. */
  public static Map<String, String> podLabels(Cell cell, String zone, String role) {
    return Map.of(
        Labels.NAME,
        "unitcell-cell",
        Labels.MANAGED_BY,
        Labels.OPERATOR,
        Labels.CELL,
        cell.getMetadata().getName(),
        Labels.ROLE,
        role,
        Labels.ZONE,
        zone);
  }

  /** Selects the active zone's pods (Service, PDB, status). */
  public static Map<String, String> activeSelector(Cell cell) {
    return Map.of(Labels.CELL, cell.getMetadata().getName(), Labels.ROLE, ACTIVE);
  }
}

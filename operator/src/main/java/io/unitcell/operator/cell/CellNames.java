package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.unitcell.operator.crds.v1alpha1.Cell;
import java.util.Map;

/** Names and labels of what the operator makes for a cell. */
public final class CellNames {
  private CellNames() {}

  public static final String CELL_LABEL = "unitcell.io/cell";
  public static final String ROLE_LABEL = "unitcell.io/role";
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

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

  /** Metadata of an object the cell owns: its name, the cell's namespace and cell label. */
  public static ObjectMeta metadata(Cell cell, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cell.getMetadata().getNamespace())
        .addToLabels(CELL_LABEL, cell.getMetadata().getName())
        .build();
  }

  /** Labels of the cell's pods in {@code zone}, as {@code active} or {@code standby}. */
  public static Map<String, String> podLabels(Cell cell, String zone, String role) {
    return Map.of(
        "app.kubernetes.io/name",
        "unitcell-cell",
        "app.kubernetes.io/managed-by",
        "unitcell-operator",
        CELL_LABEL,
        cell.getMetadata().getName(),
        ROLE_LABEL,
        role,
        ZONE_LABEL,
        zone);
  }

  /** Selects the active zone's pods (Service, PDB, status). */
  public static Map<String, String> activeSelector(Cell cell) {
    return Map.of(CELL_LABEL, cell.getMetadata().getName(), ROLE_LABEL, "active");
  }
}

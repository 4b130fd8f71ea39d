package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;
import io.unitcell.operator.naming.TableNames;
import java.util.Map;

/** The cell app's settings, as the environment variables it reads (docs/cell-app.md). */
public class CellConfigDependent extends CRUDKubernetesDependentResource<ConfigMap, Cell> {

  public CellConfigDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(Cell cell, Context<Cell> context) {
    var database = cell.getSpec().getDatabase();
    return new ConfigMapBuilder()
        .withMetadata(CellNames.metadata(cell, CellNames.config(cell)))
        .withData(
            Map.of(
                "UNITCELL_CELL",
                cell.getMetadata().getName(),
                "UNITCELL_ROUTING_TABLE",
                CellNames.TABLE_DIRECTORY + "/" + TableNames.KEY,
                "UNITCELL_DB_URL",
                "jdbc:mysql://" + database.getVtgate() + "/" + database.getKeyspace(),
                "UNITCELL_CACHE_HOSTS",
                cell.getSpec().getCache()))
        .build();
  }
}

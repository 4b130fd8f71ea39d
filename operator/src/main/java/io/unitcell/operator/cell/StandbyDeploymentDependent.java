package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;

/** Warm instances of the cell app in the standby zone. */
public class StandbyDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, Cell> {

  public StandbyDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(Cell cell, Context<Cell> context) {
    return CellDeployments.desired(
        cell, CellNames.standbyZone(cell), CellNames.STANDBY, cell.getSpec().getStandbyReplicas());
  }
}

package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;

/** The cell app in the active zone; its replica count belongs to the autoscaler. */
public class ActiveDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, Cell> {

  public ActiveDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(Cell cell, Context<Cell> context) {
    return CellDeployments.desired(cell, CellNames.activeZone(cell), CellNames.ACTIVE, null);
  }
}

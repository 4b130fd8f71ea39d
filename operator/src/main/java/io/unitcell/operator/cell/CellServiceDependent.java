package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;

/** The cell's address for routers ({@code <cell>.<namespace>.svc:8080}): the active zone's pods. */
public class CellServiceDependent extends CRUDKubernetesDependentResource<Service, Cell> {

  public CellServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(Cell cell, Context<Cell> context) {
    return new ServiceBuilder()
        .withMetadata(CellNames.metadata(cell, cell.getMetadata().getName()))
        .withNewSpec()
        .withSelector(CellNames.activeSelector(cell))
        .addNewPort()
        .withName("http")
        .withPort(CellNames.PORT)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }
}

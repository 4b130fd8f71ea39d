package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;

/** Voluntary disruptions (node drains) take at most one active instance at a time. */
public class CellDisruptionBudgetDependent
    extends CRUDKubernetesDependentResource<PodDisruptionBudget, Cell> {

  public CellDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(Cell cell, Context<Cell> context) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(CellNames.metadata(cell, cell.getMetadata().getName()))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(CellNames.activeSelector(cell))
        .endSelector()
        .endSpec()
        .build();
  }
}

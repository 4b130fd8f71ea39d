package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;

/** Scales the active zone between the cell's replicas and maxReplicas on CPU (70 %). */
public class CellAutoscalerDependent
    extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, Cell> {

  public CellAutoscalerDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  protected HorizontalPodAutoscaler desired(Cell cell, Context<Cell> context) {
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(CellNames.metadata(cell, cell.getMetadata().getName()))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(CellNames.deployment(cell, CellNames.activeZone(cell)))
        .endScaleTargetRef()
        .withMinReplicas(Math.max(1, cell.getSpec().getReplicas()))
        .withMaxReplicas(cell.getSpec().getMaxReplicas())
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(70)
        .endTarget()
        .endResource()
        .endMetric()
        .endSpec()
        .build();
  }
}

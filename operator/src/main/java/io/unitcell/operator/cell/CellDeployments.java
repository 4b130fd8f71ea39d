package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.CellNames;
import io.unitcell.operator.naming.Labels;
import io.unitcell.operator.naming.RouterNames;
import io.unitcell.operator.naming.TableNames;

/**
 * The cell app's Deployment in one zone: pods pinned to the zone's nodes and spread over them, the
 * cell's settings from its ConfigMap, the topology's routing table mounted where the app reads it.
 */
final class CellDeployments {
  private CellDeployments() {}

  /**
   * @param replicas null to leave the count to the autoscaler (the active zone)
   */
  static Deployment desired(Cell cell, String zone, String role, Integer replicas) {
    var labels = CellNames.podLabels(cell, zone, role);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(CellNames.deployment(cell, zone))
        .withNamespace(cell.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNewAffinity()
        .withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm()
        .addNewMatchExpression()
        .withKey(Labels.ZONE)
        .withOperator("In")
        .withValues(zone)
        .endMatchExpression()
        .endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endNodeAffinity()
        .endAffinity()
        .addNewTopologySpreadConstraint()
        .withMaxSkew(1)
        .withTopologyKey("kubernetes.io/hostname")
        .withWhenUnsatisfiable("ScheduleAnyway")
        .withNewLabelSelector()
        .withMatchLabels(labels)
        .endLabelSelector()
        .endTopologySpreadConstraint()
        .addToContainers(
            new ContainerBuilder()
                .withName("cell-app")
                .withImage(cell.getSpec().getImage())
                .withResources(cell.getSpec().getResources())
                .addNewPort()
                .withName("http")
                .withContainerPort(CellNames.PORT)
                .endPort()
                .addNewEnvFrom()
                .withNewConfigMapRef()
                .withName(CellNames.config(cell))
                .endConfigMapRef()
                .endEnvFrom()
                .addNewEnvFrom()
                .withNewSecretRef()
                .withName(RouterNames.secret(cell.getSpec().getTopology()))
                .withOptional(true)
                .endSecretRef()
                .endEnvFrom()
                .addNewVolumeMount()
                .withName("routing-table")
                .withMountPath(CellNames.TABLE_DIRECTORY)
                .withReadOnly(true)
                .endVolumeMount()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/q/health/ready")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(5)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/q/health/live")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(10)
                .withFailureThreshold(6)
                .endLivenessProbe()
                .build())
        .addNewVolume()
        .withName("routing-table")
        .withNewConfigMap()
        .withName(TableNames.configMap(cell.getSpec().getTopology()))
        .withOptional(true)
        .endConfigMap()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}

package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.CellStatus;
import io.unitcell.operator.topology.Conditions;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Runs a cell: its settings, the app in the active zone (autoscaled) and warm in the standby zone,
 * its Service, autoscaler and disruption budget, all owned by the Cell (deleting the Cell deletes
 * them). Status: phase, active zone, replicas, patched only when it changed.
 */
@Workflow(
    dependents = {
      @Dependent(name = "config", type = CellConfigDependent.class),
      @Dependent(name = "active", type = ActiveDeploymentDependent.class, dependsOn = "config"),
      @Dependent(name = "standby", type = StandbyDeploymentDependent.class, dependsOn = "config"),
      @Dependent(name = "service", type = CellServiceDependent.class),
      @Dependent(name = "autoscaler", type = CellAutoscalerDependent.class, dependsOn = "active"),
      @Dependent(name = "disruption-budget", type = CellDisruptionBudgetDependent.class)
    })
@ControllerConfiguration
public class CellReconciler implements Reconciler<Cell> {

  @Override
  public UpdateControl<Cell> reconcile(Cell cell, Context<Cell> context) {
    String activeName = CellNames.deployment(cell, CellNames.activeZone(cell));
    Deployment active =
        context
            .getSecondaryResourcesAsStream(Deployment.class)
            .filter(d -> activeName.equals(d.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    int replicas =
        active == null || active.getStatus() == null || active.getStatus().getReplicas() == null
            ? 0
            : active.getStatus().getReplicas();
    int ready =
        active == null
                || active.getStatus() == null
                || active.getStatus().getReadyReplicas() == null
            ? 0
            : active.getStatus().getReadyReplicas();
    long generation = cell.getMetadata().getGeneration();
    CellStatus previous = cell.getStatus();
    CellStatus status = new CellStatus();
    status.setActiveZone(CellNames.activeZone(cell));
    status.setPhase(ready > 0 ? "Serving" : "Pending");
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setSelector(
        CellNames.activeSelector(cell).entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .sorted()
            .collect(Collectors.joining(",")));
    status.setSlots(previous == null ? null : previous.getSlots());
    status.setObservedGeneration(generation);
    status.setConditions(
        Conditions.with(
            previous == null ? null : previous.getConditions(),
            "Ready",
            ready > 0,
            ready > 0 ? "InstancesReady" : "NoReadyInstance",
            ready + " of " + replicas + " instances ready in " + status.getActiveZone(),
            generation));
    if (previous != null
        && Objects.equals(previous.getPhase(), status.getPhase())
        && Objects.equals(previous.getActiveZone(), status.getActiveZone())
        && Objects.equals(previous.getReplicas(), status.getReplicas())
        && Objects.equals(previous.getReadyReplicas(), status.getReadyReplicas())
        && Objects.equals(previous.getSelector(), status.getSelector())
        && Objects.equals(previous.getObservedGeneration(), status.getObservedGeneration())
        && Conditions.same(previous.getConditions(), status.getConditions())) {
      return UpdateControl.noUpdate();
    }
    cell.setStatus(status);
    return UpdateControl.patchStatus(cell);
  }
}

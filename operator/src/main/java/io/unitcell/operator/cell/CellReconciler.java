package io.unitcell.operator.cell;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.CellPhase;
import io.unitcell.operator.crds.v1alpha1.CellStatus;
import io.unitcell.operator.crds.v1alpha1.Condition;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.CellNames;
import io.unitcell.operator.naming.Labels;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.support.Conditions;
import io.unitcell.operator.support.Events;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.RoutingTable;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs a cell: its settings, the app in the active zone (autoscaled) and warm in the standby zone,
 * its Service, autoscaler and disruption budget, all owned by the Cell (deleting the Cell deletes
 * them). Status: phase, active zone, slots (from the published routing table), replicas, patched
 * only when it changed.
 *
 * <p>Deleting a Cell that still owns slots is refused: the finalizer stays, the cell keeps serving,
 * and the condition {@code Removable=False} says what to do ({@code spec.drain}). Once the routing
 * table gives it no slot, the finalizer goes and the garbage collector removes its objects.
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
public class CellReconciler implements Reconciler<Cell>, Cleaner<Cell> {

  static final String TABLES = "routing-tables";

  /** Annotation letting a Cell that owns slots be deleted anyway, its users' data given up. */
  public static final String ABANDON_ANNOTATION = "unitcell.io/abandon-data";

  @Override
  public List<EventSource<?, Cell>> prepareEventSources(EventSourceContext<Cell> context) {
    // a new routing table changes the slots (and fence) of every cell of its topology
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, Cell.class)
                .withName(TABLES)
                .withLabelSelector(Labels.TOPOLOGY)
                .withSecondaryToPrimaryMapper(
                    table ->
                        context
                            .getPrimaryCache()
                            .list(
                                table.getMetadata().getNamespace(),
                                cell ->
                                    table
                                        .getMetadata()
                                        .getLabels()
                                        .get(Labels.TOPOLOGY)
                                        .equals(cell.getSpec().getTopology()))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (Cell cell) ->
                        java.util.Set.of(
                            new ResourceID(
                                TableNames.configMap(cell.getSpec().getTopology()),
                                cell.getMetadata().getNamespace())))
                .build(),
            context));
  }

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
    RoutingTable table = table(cell, context);
    String name = cell.getMetadata().getName();
    CellRoute route = table == null ? null : table.route(name);
    CellStatus previous = cell.getStatus();
    CellStatus status = new CellStatus();
    status.setActiveZone(CellNames.activeZone(cell));
    status.setPhase(phase(cell, route, ready));
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setSelector(
        CellNames.activeSelector(cell).entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .sorted()
            .collect(Collectors.joining(",")));
    status.setSlots(table == null ? null : table.slotCountOf(name));
    status.setObservedGeneration(generation);
    status.setConditions(
        Conditions.with(
            previous == null ? null : previous.getConditions(),
            Condition.READY,
            ready > 0,
            ready > 0 ? "InstancesReady" : "NoReadyInstance",
            ready + " of " + replicas + " instances ready in " + status.getActiveZone(),
            generation));
    if (status.equals(previous)) {
      return UpdateControl.noUpdate();
    }
    CellPhase before = previous == null ? null : previous.getPhase();
    if (status.getPhase() != before) {
      Events.record(
          context.getClient(),
          cell,
          status.getPhase() == CellPhase.Down ? Events.WARNING : Events.NORMAL,
          status.getPhase().name(),
          "phase "
              + (before == null ? "(new)" : before)
              + " → "
              + status.getPhase()
              + " in "
              + status.getActiveZone()
              + ", "
              + status.getSlots()
              + " slots, "
              + ready
              + " ready");
    }
    cell.setStatus(status);
    return UpdateControl.patchStatus(cell);
  }

  @Override
  public DeleteControl cleanup(Cell cell, Context<Cell> context) {
    RoutingTable table = table(cell, context);
    String name = cell.getMetadata().getName();
    if (abandonsData(cell)) {
      Events.record(
          context.getClient(),
          cell,
          Events.WARNING,
          "DataAbandoned",
          "deleted with "
              + (table == null ? "unknown" : String.valueOf(table.slotCountOf(name)))
              + " slots: annotated "
              + ABANDON_ANNOTATION
              + "=true, its users' data is given up");
      return DeleteControl.defaultDelete();
    }
    if (table == null && tableEverPublished(cell, context)) {
      return refuse(
          cell,
          context,
          "TableUnreadable",
          "deletion waits: the routing table of topology "
              + cell.getSpec().getTopology()
              + " is missing or unreadable, so whether the cell owns slots is unknown");
    }
    int slots = table == null ? 0 : table.slotCountOf(name);
    if (slots == 0) {
      Events.record(
          context.getClient(),
          cell,
          Events.NORMAL,
          "Removed",
          "owns no slots: its objects are left to the garbage collector");
      return DeleteControl.defaultDelete();
    }
    String reason;
    String message;
    if (cell.getSpec().getDrain() == null) {
      reason = "OwnsSlots";
      message =
          "deletion refused: the cell owns "
              + slots
              + " slots and their users' data; set spec.drain.to to a cell of topology "
              + cell.getSpec().getTopology()
              + " to fence and move them first (the cell keeps serving meanwhile), or annotate it "
              + ABANDON_ANNOTATION
              + "=true to give the data up";
    } else {
      reason = "Draining";
      message =
          "deletion waits for the drain to "
              + cell.getSpec().getDrain().getTo()
              + ": the cell still owns "
              + slots
              + " slots (see the Topology's Draining condition)";
    }
    return refuse(cell, context, reason, message);
  }

  /** Keeps the finalizer: condition Removable=False with the reason, an Event when it changes. */
  private static DeleteControl refuse(
      Cell cell, Context<Cell> context, String reason, String message) {
    CellStatus status = cell.getStatus() == null ? new CellStatus() : cell.getStatus();
    List<Condition> before = status.getConditions();
    List<Condition> after =
        Conditions.with(
            before,
            Condition.REMOVABLE,
            false,
            reason,
            message,
            cell.getMetadata().getGeneration());
    if (!after.equals(before)) {
      Events.record(
          context.getClient(),
          cell,
          "Draining".equals(reason) ? Events.NORMAL : Events.WARNING,
          "Draining".equals(reason) ? "RemovalWaiting" : "RemovalRefused",
          message);
      status.setConditions(after);
      cell.setStatus(status);
      context.getClient().resource(cell).patchStatus();
    }
    // the table's informer wakes this up when the slots move; the period is a safety net
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
  }

  private static boolean abandonsData(Cell cell) {
    return cell.getMetadata().getAnnotations() != null
        && "true".equals(cell.getMetadata().getAnnotations().get(ABANDON_ANNOTATION));
  }

  private static boolean tableEverPublished(Cell cell, Context<Cell> context) {
    Topology topology =
        context
            .getClient()
            .resources(Topology.class)
            .inNamespace(cell.getMetadata().getNamespace())
            .withName(cell.getSpec().getTopology())
            .get();
    return topology != null
        && topology.getStatus() != null
        && topology.getStatus().getEpoch() != null
        && topology.getStatus().getEpoch() > 0;
  }

  private static CellPhase phase(Cell cell, CellRoute route, int ready) {
    if (route == null) {
      return cell.getSpec().getDrain() != null ? CellPhase.Drained : CellPhase.Pending;
    }
    if (route.state() == CellState.FENCED) {
      return CellPhase.Fenced;
    }
    if (route.state() == CellState.DOWN) {
      return CellPhase.Down;
    }
    return ready > 0 ? CellPhase.Serving : CellPhase.Pending;
  }

  private static RoutingTable table(Cell cell, Context<Cell> context) {
    return context.getSecondaryResources(ConfigMap.class).stream()
        .filter(
            map ->
                TableNames.configMap(cell.getSpec().getTopology())
                    .equals(map.getMetadata().getName()))
        .findFirst()
        .map(RoutingTableConfigMap::table)
        .orElse(null);
  }
}

package io.unitcell.operator.topology;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Condition;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.crds.v1alpha1.TopologyStatus;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.router.RouterAccountDependent;
import io.unitcell.operator.router.RouterDeploymentDependent;
import io.unitcell.operator.router.RouterRoleBindingDependent;
import io.unitcell.operator.router.RouterRoleDependent;
import io.unitcell.operator.router.RouterServiceDependent;
import io.unitcell.operator.support.Conditions;
import io.unitcell.operator.support.Events;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.topology.RoutingTable;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Publishes a topology's routing table and runs its routers. The table comes from {@link
 * TablePlan}: the planner ({@code topology/Planner}) rebalances the previous table to the cells'
 * weights, moving only the slots it must, and drained cells are fenced before their slots move. The
 * ConfigMap is written (epoch + 1) only when the table changed. Reconciles on changes of the
 * topology and of its cells. (Deleting a topology that cells still name is refused by the chart's
 * admission policy, not by a finalizer: a topology being deleted could no longer drain its cells.)
 */
@Workflow(
    dependents = {
      @Dependent(name = "router-account", type = RouterAccountDependent.class),
      @Dependent(name = "router-role", type = RouterRoleDependent.class),
      @Dependent(
          name = "router-binding",
          type = RouterRoleBindingDependent.class,
          dependsOn = {"router-account", "router-role"}),
      @Dependent(
          name = "router",
          type = RouterDeploymentDependent.class,
          dependsOn = "router-binding"),
      @Dependent(name = "router-service", type = RouterServiceDependent.class)
    })
@ControllerConfiguration
public class TopologyReconciler implements Reconciler<Topology> {

  static final String CELLS = "cells";

  /** Annotation of a Topology allowing a fresh table when the published one was lost. */
  public static final String REBUILD_ANNOTATION = "unitcell.io/rebuild-table";

  @Override
  public List<EventSource<?, Topology>> prepareEventSources(EventSourceContext<Topology> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Cell.class, Topology.class)
                .withName(CELLS)
                .withSecondaryToPrimaryMapper(
                    cell ->
                        Set.of(
                            new ResourceID(
                                cell.getSpec().getTopology(), cell.getMetadata().getNamespace())))
                .build(),
            context));
  }

  @Override
  public UpdateControl<Topology> reconcile(Topology topology, Context<Topology> context) {
    KubernetesClient client = context.getClient();
    String namespace = topology.getMetadata().getNamespace();
    String name = topology.getMetadata().getName();
    long generation = topology.getMetadata().getGeneration();
    List<Cell> cells = cellsOf(topology, context);
    TopologyStatus status = copy(topology.getStatus());
    status.setObservedGeneration(generation);
    status.setRoutingTable(TableNames.configMap(name));

    ConfigMap published =
        client.configMaps().inNamespace(namespace).withName(TableNames.configMap(name)).get();
    RoutingTable previous = RoutingTableConfigMap.table(published);
    long lastEpoch = status.getEpoch() == null ? 0 : status.getEpoch();
    if (previous == null && lastEpoch > 0 && !rebuildAllowed(topology)) {
      // the published table is gone or damaged: a fresh plan would reshuffle every user unfenced
      status.setConditions(
          Conditions.with(
              status.getConditions(),
              Condition.READY,
              false,
              "TableUnreadable",
              "ConfigMap "
                  + TableNames.configMap(name)
                  + " is missing or unreadable after epoch "
                  + lastEpoch
                  + "; routers keep the table they have. Restore it, or annotate the Topology "
                  + REBUILD_ANNOTATION
                  + "=true to publish a fresh assignment at epoch "
                  + (lastEpoch + 1)
                  + " (it moves users between cells without a fence)",
              generation));
      return statusUpdate(topology, status);
    }
    TablePlan plan =
        TablePlan.of(
            previous,
            lastEpoch,
            topology.getSpec().getSlots(),
            cells,
            zoneNames(topology),
            namespace,
            RoutingTableConfigMap.fenced(published),
            previous == null ? Map.of() : RoutingTableConfigMap.pinned(published));
    if (plan.next() == null) {
      status.setConditions(
          Conditions.with(
              status.getConditions(),
              Condition.READY,
              false,
              "NoCells",
              "no Cell that can take slots names this topology; no routing table is published",
              generation));
      return statusUpdate(topology, status);
    }
    RoutingTable next = plan.next();
    ConfigMap desired = RoutingTableConfigMap.build(topology, next, plan.fenced(), plan.pinned());
    if (next != previous || !RoutingTableConfigMap.sameDrains(desired, published)) {
      // routers and cells follow this ConfigMap; deleting the topology deletes it
      ConfigMap table = desired;
      if (published == null) {
        client.configMaps().inNamespace(namespace).resource(table).create();
      } else {
        // optimistic: a table written since we read it (another operator replica in a leader
        // hand-over) fails this with 409 and the reconcile starts again from the newer table
        table.getMetadata().setResourceVersion(published.getMetadata().getResourceVersion());
        client.configMaps().inNamespace(namespace).resource(table).update();
      }
      Events.record(
          client,
          topology,
          Events.NORMAL,
          "TablePublished",
          "routing table epoch "
              + next.epoch()
              + ": "
              + next.cells().size()
              + " cells, "
              + next.slotCount()
              + " slots");
      plan.fencedNow()
          .forEach(
              cell ->
                  Events.record(
                      client,
                      topology,
                      Events.NORMAL,
                      "Fenced",
                      "cell "
                          + cell
                          + " is fenced at epoch "
                          + next.epoch()
                          + ": no writes for its slots; copy its data, then set"
                          + " spec.drain.dataMovedAtEpoch to "
                          + next.epoch()));
      plan.movedNow()
          .forEach(
              (cell, target) ->
                  Events.record(
                      client,
                      topology,
                      Events.NORMAL,
                      "SlotsMoved",
                      "the slots of cell "
                          + cell
                          + " moved to "
                          + target
                          + " at epoch "
                          + next.epoch()));
    }
    Map<String, Integer> slots = new TreeMap<>();
    next.cells().keySet().forEach(cell -> slots.put(cell, next.slotCountOf(cell)));
    status.setEpoch(next.epoch());
    status.setSlotsByCell(slots);
    status.setFenced(plan.fenced().isEmpty() ? null : plan.fenced());
    Map<String, Integer> pinned = new TreeMap<>();
    plan.pinned().forEach((cell, pinnedSlots) -> pinned.put(cell, pinnedSlots.cardinality()));
    status.setPinnedSlots(pinned.isEmpty() ? null : pinned);
    status.setConditions(
        Conditions.with(
            status.getConditions(),
            Condition.READY,
            true,
            "TablePublished",
            "epoch "
                + next.epoch()
                + ": "
                + slots.size()
                + " cells, "
                + next.slotCount()
                + " slots"
                + (plan.excluded().isEmpty() ? "" : "; given no slots: " + plan.excluded()),
            generation));
    status.setConditions(
        Conditions.with(
            status.getConditions(),
            Condition.DRAINING,
            !plan.drainNotes().isEmpty(),
            plan.drainNotes().isEmpty() ? "NoDrain" : "Draining",
            plan.drainNotes().isEmpty() ? "no cell is being drained" : plan.drainNotes(),
            generation));
    if (!plan.drainNotes().isEmpty() && !plan.drainNotes().equals(drainMessage(topology))) {
      Events.record(client, topology, Events.NORMAL, "Draining", plan.drainNotes());
    }
    return statusUpdate(topology, status);
  }

  private static List<Cell> cellsOf(Topology topology, Context<Topology> context) {
    String name = topology.getMetadata().getName();
    return context
        .getSecondaryResourcesAsStream(Cell.class)
        .filter(cell -> name.equals(cell.getSpec().getTopology()))
        .sorted(Comparator.comparing(cell -> cell.getMetadata().getName()))
        .toList();
  }

  private static Set<String> zoneNames(Topology topology) {
    return topology.getSpec().getZones().stream()
        .map(z -> z.getName())
        .collect(java.util.stream.Collectors.toSet());
  }

  private static String drainMessage(Topology topology) {
    return topology.getStatus() == null || topology.getStatus().getConditions() == null
        ? null
        : topology.getStatus().getConditions().stream()
            .filter(c -> Condition.DRAINING.equals(c.getType()))
            .map(c -> c.getMessage())
            .findFirst()
            .orElse(null);
  }

  private static boolean rebuildAllowed(Topology topology) {
    return topology.getMetadata().getAnnotations() != null
        && "true".equals(topology.getMetadata().getAnnotations().get(REBUILD_ANNOTATION));
  }

  private static UpdateControl<Topology> statusUpdate(Topology topology, TopologyStatus status) {
    if (status.equals(topology.getStatus())) {
      return UpdateControl.noUpdate();
    }
    topology.setStatus(status);
    return UpdateControl.patchStatus(topology);
  }

  private static TopologyStatus copy(TopologyStatus status) {
    TopologyStatus copy = new TopologyStatus();
    if (status != null) {
      copy.setEpoch(status.getEpoch());
      copy.setSlotsByCell(status.getSlotsByCell());
      copy.setFenced(status.getFenced());
      copy.setPinnedSlots(status.getPinnedSlots());
      copy.setRoutingTable(status.getRoutingTable());
      copy.setObservedGeneration(status.getObservedGeneration());
      copy.setConditions(status.getConditions());
    }
    return copy;
  }
}

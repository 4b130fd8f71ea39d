package io.unitcell.operator.topology;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.crds.v1alpha1.TopologyStatus;
import io.unitcell.operator.router.RouterAccountDependent;
import io.unitcell.operator.router.RouterDeploymentDependent;
import io.unitcell.operator.router.RouterNames;
import io.unitcell.operator.router.RouterRoleBindingDependent;
import io.unitcell.operator.router.RouterRoleDependent;
import io.unitcell.operator.router.RouterServiceDependent;
import io.unitcell.operator.support.Conditions;
import io.unitcell.operator.support.Events;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.RoutingTable.InvalidRoutingTableException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Publishes a topology's routing table and runs its routers. The table comes from {@link
 * TablePlan}: the planner ({@code topology/Planner}) rebalances the previous table to the cells'
 * weights, moving only the slots it must, and drained cells are fenced before their slots move. The
 * ConfigMap is written (epoch + 1) only when the table changed. Reconciles on changes of the
 * topology and of its cells. A topology that cells still name is not deleted.
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
public class TopologyReconciler implements Reconciler<Topology>, Cleaner<Topology> {

  /** Key of the routing table in its ConfigMap (what routers and cells read). */
  public static final String TABLE_KEY = "routing-table.json";

  /** Port the cells' Services listen on. */
  public static final int CELL_PORT = 8080;

  static final String CELLS = "cells";

  /** Annotation of the table's ConfigMap: weights carried for drained cells, "cell=w,...". */
  public static final String ABSORBED_ANNOTATION = "unitcell.io/absorbed-weights";

  /** The ConfigMap holding a topology's routing table. */
  public static String tableName(String topology) {
    return topology + "-routing-table";
  }

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
    status.setRoutingTable(tableName(name));

    ConfigMap published =
        client.configMaps().inNamespace(namespace).withName(tableName(name)).get();
    RoutingTable previous = read(published);
    TablePlan plan =
        TablePlan.of(
            previous,
            topology.getSpec().getSlots(),
            cells,
            zoneNames(topology),
            namespace,
            status.getFenced(),
            absorbedWeights(published));
    if (plan.next() == null) {
      status.setConditions(
          Conditions.with(
              status.getConditions(),
              "Ready",
              false,
              "NoCells",
              "no Cell that can take slots names this topology; no routing table is published",
              generation));
      return statusUpdate(topology, status);
    }
    RoutingTable next = plan.next();
    if (next != previous || !plan.absorbed().equals(absorbedWeights(published))) {
      // routers and cells follow this ConfigMap; deleting the topology deletes it
      client
          .configMaps()
          .inNamespace(namespace)
          .resource(tableConfigMap(topology, next, plan.absorbed()))
          .createOr(existing -> existing.update());
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
    status.setAbsorbedWeights(plan.absorbed().isEmpty() ? null : plan.absorbed());
    status.setConditions(
        Conditions.with(
            status.getConditions(),
            "Ready",
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
            "Draining",
            !plan.drainNotes().isEmpty(),
            plan.drainNotes().isEmpty() ? "NoDrain" : "Draining",
            plan.drainNotes().isEmpty() ? "no cell is being drained" : plan.drainNotes(),
            generation));
    if (!plan.drainNotes().isEmpty() && !plan.drainNotes().equals(drainMessage(topology))) {
      Events.record(client, topology, Events.NORMAL, "Draining", plan.drainNotes());
    }
    return statusUpdate(topology, status);
  }

  /**
   * Deleting a topology would delete its routing table under routers and cells that still serve it:
   * refused (the finalizer stays) while any Cell names the topology.
   */
  @Override
  public DeleteControl cleanup(Topology topology, Context<Topology> context) {
    List<Cell> cells = cellsOf(topology, context);
    if (cells.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    String message =
        "deletion waits: cells "
            + cells.stream().map(c -> c.getMetadata().getName()).toList()
            + " still name this topology; drain and delete them first";
    TopologyStatus status = copy(topology.getStatus());
    status.setConditions(
        Conditions.with(
            status.getConditions(),
            "Ready",
            false,
            "CellsRemain",
            message,
            topology.getMetadata().getGeneration()));
    if (!Conditions.same(status.getConditions(), copy(topology.getStatus()).getConditions())) {
      Events.record(context.getClient(), topology, Events.WARNING, "DeletionBlocked", message);
      topology.setStatus(status);
      context.getClient().resource(topology).patchStatus();
    }
    return DeleteControl.noFinalizerRemoval();
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
            .filter(c -> "Draining".equals(c.getType()))
            .map(c -> c.getMessage())
            .findFirst()
            .orElse(null);
  }

  /**
   * Weights cells carry for drained cells, kept on the table's ConfigMap so that they are written
   * in the same request as the table that moved the slots (a crash cannot separate the two).
   */
  static Map<String, Integer> absorbedWeights(ConfigMap published) {
    Map<String, Integer> weights = new TreeMap<>();
    String value =
        published == null || published.getMetadata().getAnnotations() == null
            ? null
            : published.getMetadata().getAnnotations().get(ABSORBED_ANNOTATION);
    if (value != null && !value.isBlank()) {
      for (String entry : value.split(",")) {
        String[] parts = entry.split("=", 2);
        try {
          weights.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
        } catch (RuntimeException e) {
          // a hand-edited, unreadable entry is dropped; the planner then uses the spec weights
        }
      }
    }
    return weights;
  }

  private static ConfigMap tableConfigMap(
      Topology topology, RoutingTable table, Map<String, Integer> absorbed) {
    String name = topology.getMetadata().getName();
    StringBuilder weights = new StringBuilder();
    absorbed.forEach(
        (cell, weight) ->
            weights
                .append(weights.length() == 0 ? "" : ",")
                .append(cell)
                .append('=')
                .append(weight));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(tableName(name))
        .addToAnnotations(ABSORBED_ANNOTATION, weights.toString())
        .withNamespace(topology.getMetadata().getNamespace())
        .addToLabels("app.kubernetes.io/managed-by", "unitcell-operator")
        .addToLabels(RouterNames.TOPOLOGY_LABEL, name)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(topology.getApiVersion())
                .withKind(topology.getKind())
                .withName(name)
                .withUid(topology.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withData(Map.of(TABLE_KEY, table.toJson()))
        .build();
  }

  /** The table in a published ConfigMap, or null when there is none or it is damaged. */
  public static RoutingTable read(ConfigMap published) {
    if (published == null
        || published.getData() == null
        || !published.getData().containsKey(TABLE_KEY)) {
      return null;
    }
    try {
      return RoutingTable.fromJson(published.getData().get(TABLE_KEY));
    } catch (InvalidRoutingTableException e) {
      // a damaged table is replaced, never trusted; its epoch is lost, so routers keep theirs
      return null;
    }
  }

  private static UpdateControl<Topology> statusUpdate(Topology topology, TopologyStatus status) {
    if (sameStatus(topology.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    topology.setStatus(status);
    return UpdateControl.patchStatus(topology);
  }

  private static boolean sameStatus(TopologyStatus a, TopologyStatus b) {
    return a != null
        && Objects.equals(a.getEpoch(), b.getEpoch())
        && Objects.equals(a.getSlotsByCell(), b.getSlotsByCell())
        && Objects.equals(a.getFenced(), b.getFenced())
        && Objects.equals(a.getAbsorbedWeights(), b.getAbsorbedWeights())
        && Objects.equals(a.getRoutingTable(), b.getRoutingTable())
        && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && Conditions.same(a.getConditions(), b.getConditions());
  }

  private static TopologyStatus copy(TopologyStatus status) {
    TopologyStatus copy = new TopologyStatus();
    if (status != null) {
      copy.setEpoch(status.getEpoch());
      copy.setSlotsByCell(status.getSlotsByCell());
      copy.setFenced(status.getFenced());
      copy.setAbsorbedWeights(status.getAbsorbedWeights());
      copy.setRoutingTable(status.getRoutingTable());
      copy.setObservedGeneration(status.getObservedGeneration());
      copy.setConditions(status.getConditions());
    }
    return copy;
  }
}

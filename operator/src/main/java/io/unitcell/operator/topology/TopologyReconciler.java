package io.unitcell.operator.topology;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.crds.v1alpha1.TopologyStatus;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.PlannedCell;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.RoutingTable.InvalidRoutingTableException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Publishes a topology's routing table: the planner ({@code topology/Planner}) rebalances the
 * previous table to the cells' weights, moving only the slots it must, and the ConfigMap is written
 * (epoch + 1) only when the table changed. Reconciles on changes of the topology and of its cells.
 */
@ControllerConfiguration
public class TopologyReconciler implements Reconciler<Topology> {

  /** Key of the routing table in its ConfigMap (what routers and cells read). */
  public static final String TABLE_KEY = "routing-table.json";

  /** Port the cells' Services listen on. */
  public static final int CELL_PORT = 8080;

  /** The ConfigMap holding a topology's routing table. */
  public static String tableName(String topology) {
    return topology + "-routing-table";
  }

  @Override
  public List<EventSource<?, Topology>> prepareEventSources(EventSourceContext<Topology> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Cell.class, Topology.class)
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
    List<Cell> cells =
        context
            .getSecondaryResourcesAsStream(Cell.class)
            .filter(cell -> name.equals(cell.getSpec().getTopology()))
            .sorted(Comparator.comparing(cell -> cell.getMetadata().getName()))
            .toList();
    TopologyStatus status = copy(topology.getStatus());
    status.setObservedGeneration(generation);
    status.setRoutingTable(tableName(name));
    if (cells.isEmpty()) {
      status.setConditions(
          Conditions.with(
              status.getConditions(),
              "Ready",
              false,
              "NoCells",
              "no Cell names this topology; no routing table is published",
              generation));
      return statusUpdate(topology, status);
    }
    ConfigMap published =
        client.configMaps().inNamespace(namespace).withName(tableName(name)).get();
    RoutingTable previous = read(published);
    RoutingTable next =
        Planner.nextTable(
            previous,
            topology.getSpec().getSlots(),
            cells.stream().map(c -> planned(c, namespace)).toList());
    if (next != previous) {
      // routers and cells follow this ConfigMap; deleting the topology deletes it
      client
          .configMaps()
          .inNamespace(namespace)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(tableName(name))
                  .withNamespace(namespace)
                  .addToLabels("app.kubernetes.io/managed-by", "unitcell-operator")
                  .addToLabels("unitcell.io/topology", name)
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
                  .withData(Map.of(TABLE_KEY, next.toJson()))
                  .build())
          .createOr(existing -> existing.update());
    }
    Map<String, Integer> slots = new TreeMap<>();
    cells.forEach(
        cell ->
            slots.put(
                cell.getMetadata().getName(), next.slotCountOf(cell.getMetadata().getName())));
    status.setEpoch(next.epoch());
    status.setSlotsByCell(slots);
    status.setConditions(
        Conditions.with(
            status.getConditions(),
            "Ready",
            true,
            "TablePublished",
            "epoch "
                + next.epoch()
                + ": "
                + cells.size()
                + " cells, "
                + next.slotCount()
                + " slots",
            generation));
    return statusUpdate(topology, status);
  }

  private static PlannedCell planned(Cell cell, String namespace) {
    String zone =
        cell.getStatus() != null && cell.getStatus().getActiveZone() != null
            ? cell.getStatus().getActiveZone()
            : cell.getSpec().getPrimaryZone();
    String endpoint = cell.getMetadata().getName() + "." + namespace + ".svc:" + CELL_PORT;
    return new PlannedCell(
        cell.getMetadata().getName(),
        cell.getSpec().getWeight(),
        new CellRoute(zone, List.of(endpoint), CellState.SERVING));
  }

  private static RoutingTable read(ConfigMap published) {
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
        && Objects.equals(a.getRoutingTable(), b.getRoutingTable())
        && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && Conditions.same(a.getConditions(), b.getConditions());
  }

  private static TopologyStatus copy(TopologyStatus status) {
    TopologyStatus copy = new TopologyStatus();
    if (status != null) {
      copy.setEpoch(status.getEpoch());
      copy.setSlotsByCell(status.getSlotsByCell());
      copy.setRoutingTable(status.getRoutingTable());
      copy.setObservedGeneration(status.getObservedGeneration());
      copy.setConditions(status.getConditions());
    }
    return copy;
  }
}

package io.unitcell.operator.tier2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.unitcell.operator.OperatorTestbed;
import io.unitcell.operator.Samples;
import io.unitcell.operator.Snapshot;
import io.unitcell.operator.cell.CellReconciler;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.CellPhase;
import io.unitcell.operator.crds.v1alpha1.Condition;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.operator.topology.TopologyReconciler;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.WithKubeTestbed;
import io.unitcell.topology.CellState;
import io.unitcell.topology.RoutingTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole operator on Tier 2 (API server, controller manager, scheduler, KWOK nodes in two
 * zones), both reconcilers in this JVM: a topology of four cells runs on the right zones' nodes
 * with its routers; deleting a cell that owns slots is refused until it is drained (fenced first,
 * then moved), after which the garbage collector removes its objects; a restarted operator finds
 * nothing to change. The tests run in order on one topology.
 */
@WithKubeTestbed(
    tier = 2,
    zones = {"zone-a", "zone-b"},
    nodesPerZone = 2)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorTier2IT {

  static final String NS = "shop-tier2";
  static final Duration WAIT = Duration.ofSeconds(90);
  static final List<String> CELLS = List.of("cell-1", "cell-2", "cell-3", "cell-4");
  static Operator operator;

  @BeforeAll
  static void start(KubernetesClient client) throws Exception {
    operator = OperatorTestbed.start(client, NS, new TopologyReconciler(), new CellReconciler());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
  }

  static String primaryZone(String cell) {
    return CELLS.indexOf(cell) % 2 == 0 ? "zone-a" : "zone-b";
  }

  static String standbyZone(String cell) {
    return primaryZone(cell).equals("zone-a") ? "zone-b" : "zone-a";
  }

  static RoutingTable table(KubernetesClient client) {
    return RoutingTableConfigMap.table(
        client.configMaps().inNamespace(NS).withName(TableNames.configMap("shop")).get());
  }

  static Cell cell(KubernetesClient client, String name) {
    return client.resources(Cell.class).inNamespace(NS).withName(name).get();
  }

  static Topology topology(KubernetesClient client) {
    return client.resources(Topology.class).inNamespace(NS).withName("shop").get();
  }

  static List<Pod> pods(KubernetesClient client, Map<String, String> labels) {
    return client.pods().inNamespace(NS).withLabels(labels).list().getItems();
  }

  static boolean runningAndReady(Pod pod) {
    return "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions().stream()
            .filter(c -> "Ready".equals(c.getType()))
            .map(PodCondition::getStatus)
            .anyMatch("True"::equals);
  }

  static String zoneOfNode(KubernetesClient client, Pod pod) {
    return client
        .nodes()
        .withName(pod.getSpec().getNodeName())
        .get()
        .getMetadata()
        .getLabels()
        .get(KubeTestbed.ZONE_LABEL);
  }

  @Test
  @Order(1)
  void fourCellsOverTwoZonesRunOnTheirZonesNodesWithTheirRouters(
      KubeTestbed testbed, KubernetesClient client) {
    client.resource(Samples.topology(NS, "shop", "zone-a", "zone-b")).create();
    CELLS.forEach(
        name ->
            client
                .resource(Samples.cell(NS, name, "shop", primaryZone(name), standbyZone(name)))
                .create());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              RoutingTable table = table(client);
              assertThat(table).isNotNull();
              assertThat(table.cells().keySet()).containsExactlyElementsOf(CELLS);
              // every slot exactly once (the table refuses overlaps and holes when read)
              assertThat(CELLS.stream().mapToInt(table::slotCountOf).sum()).isEqualTo(1024);
              CELLS.forEach(c -> assertThat(table.slotCountOf(c)).isEqualTo(256));
            });
    for (String name : CELLS) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                for (String role : List.of("active", "standby")) {
                  String zone = role.equals("active") ? primaryZone(name) : standbyZone(name);
                  List<Pod> pods =
                      pods(client, Map.of("unitcell.io/cell", name, "unitcell.io/role", role));
                  assertThat(pods).as(name + " " + role).isNotEmpty();
                  assertThat(pods).allMatch(OperatorTier2IT::runningAndReady);
                  assertThat(pods)
                      .allSatisfy(p -> assertThat(zoneOfNode(client, p)).isEqualTo(zone));
                }
                assertThat(client.services().inNamespace(NS).withName(name).get()).isNotNull();
                assertThat(
                        client
                            .autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(NS)
                            .withName(name)
                            .get())
                    .isNotNull();
                assertThat(
                        client
                            .policy()
                            .v1()
                            .podDisruptionBudget()
                            .inNamespace(NS)
                            .withName(name)
                            .get())
                    .isNotNull();
                Cell seen = cell(client, name);
                assertThat(seen.getStatus().getPhase()).isEqualTo(CellPhase.Serving);
                assertThat(seen.getStatus().getSlots()).isEqualTo(256);
                assertThat(seen.getStatus().getActiveZone()).isEqualTo(primaryZone(name));
              });
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Pod> routers = pods(client, Map.of("unitcell.io/topology", "shop"));
              assertThat(routers).hasSize(2).allMatch(OperatorTier2IT::runningAndReady);
              assertThat(routers.stream().map(p -> zoneOfNode(client, p)).distinct())
                  .as("routers spread over the zones")
                  .hasSize(2);
              assertThat(client.services().inNamespace(NS).withName("shop-router").get())
                  .isNotNull();
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace(NS)
                          .withName("shop-router")
                          .get()
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .getEnv())
                  .as("the router runs without Netty's per-access buffer checks")
                  .anySatisfy(
                      env -> {
                        assertThat(env.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
                        assertThat(env.getValue())
                            .contains("-Dio.netty.buffer.checkAccessible=false");
                      });
              assertThat(
                      client
                          .rbac()
                          .roles()
                          .inNamespace(NS)
                          .withName("shop-router")
                          .get()
                          .getRules())
                  .singleElement()
                  .satisfies(
                      rule ->
                          assertThat(rule.getResourceNames())
                              .containsExactly("shop-routing-table"));
            });
    String columns = testbed.kubectl("get", "cells", "-n", NS, "cell-2", "--no-headers");
    assertThat(columns.trim().split("\\s+"))
        .startsWith("cell-2", "shop", "zone-b", "Serving", "256");
  }

  @Test
  @Order(2)
  void deletingACellThatOwnsSlotsIsRefusedUntilItIsDrainedThenItsObjectsAreCollected(
      KubernetesClient client) {
    RoutingTable before = table(client);
    // the chart's admission policy refuses at once; the operator's finalizer is the second line
    // (CellRemovalTest shows it without the policy)
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> client.resources(Cell.class).inNamespace(NS).withName("cell-4").delete()))
        .hasMessageContaining("cell cell-4 owns 256 slots and their users' data: drain it first");
    assertThat(cell(client, "cell-4").getMetadata().getDeletionTimestamp()).isNull();

    Samples.setDrain(client, NS, "cell-4", "cell-2", null);
    await().atMost(WAIT).until(() -> table(client).route("cell-4").state() == CellState.FENCED);
    RoutingTable fenced = table(client);
    assertThat(fenced.epoch()).isEqualTo(before.epoch() + 1);
    assertThat(fenced.ownerBySlot()).containsExactly(before.ownerBySlot());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(topology(client).getStatus().getFenced())
                    .containsExactly(Map.entry("cell-4", fenced.epoch())));
    assertThat(events(client, "shop")).anyMatch(e -> "Fenced".equals(e.getReason()));

    Samples.setDrain(client, NS, "cell-4", "cell-2", fenced.epoch());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(cell(client, "cell-4").getStatus().getSlots()).isZero();
              assertThat(cell(client, "cell-4").getStatus().getPhase())
                  .isEqualTo(CellPhase.Drained);
            });
    client.resources(Cell.class).inNamespace(NS).withName("cell-4").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(cell(client, "cell-4")).isNull());
    RoutingTable moved = table(client);
    assertThat(moved.epoch()).isEqualTo(fenced.epoch() + 1);
    assertThat(moved.cells()).doesNotContainKey("cell-4");
    assertThat(moved.slotCountOf("cell-2")).isEqualTo(512);
    for (int slot = 0; slot < 1024; slot++) {
      String owner = before.cellOfSlot(slot);
      assertThat(moved.cellOfSlot(slot)).isEqualTo(owner.equals("cell-4") ? "cell-2" : owner);
    }
    // the garbage collector (kube-controller-manager) removes what the cell owned
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace(NS)
                          .withLabel("unitcell.io/cell", "cell-4")
                          .list()
                          .getItems())
                  .isEmpty();
              assertThat(client.services().inNamespace(NS).withName("cell-4").get()).isNull();
              assertThat(
                      client
                          .autoscaling()
                          .v2()
                          .horizontalPodAutoscalers()
                          .inNamespace(NS)
                          .withName("cell-4")
                          .get())
                  .isNull();
              assertThat(
                      client
                          .policy()
                          .v1()
                          .podDisruptionBudget()
                          .inNamespace(NS)
                          .withName("cell-4")
                          .get())
                  .isNull();
              assertThat(client.configMaps().inNamespace(NS).withName("cell-4-config").get())
                  .isNull();
              assertThat(pods(client, Map.of("unitcell.io/cell", "cell-4"))).isEmpty();
            });
    // the others are untouched
    assertThat(client.apps().deployments().inNamespace(NS).withName("cell-2-zone-b").get())
        .isNotNull();
  }

  @Test
  @Order(3)
  void aRestartedOperatorChangesNothing(KubernetesClient client) throws Exception {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(cell(client, "cell-2").getStatus().getSlots()).isEqualTo(512));
    // settled first: the autoscalers have raised the active Deployments to their minimum and the
    // cells report it; then nothing changes over two polls 5 s apart. Deployments and HPAs also
    // get status from controllers, so for them the spec's generation is what the operator changes
    Map<String, String> before =
        Snapshot.settled(
            client,
            NS,
            Duration.ofSeconds(5),
            () ->
                client.resources(Cell.class).inNamespace(NS).list().getItems().stream()
                    .allMatch(c -> Integer.valueOf(2).equals(c.getStatus().getReadyReplicas())));
    long operatorEvents = Snapshot.operatorEvents(client, NS);
    operator.stop();
    OperatorTestbed.Reconciled reconciled = new OperatorTestbed.Reconciled();
    operator =
        OperatorTestbed.run(client, reconciled, new TopologyReconciler(), new CellReconciler());
    // a restart reconciles every Topology and Cell; wait for all of them, then a little longer
    await()
        .atMost(WAIT)
        .until(
            () ->
                reconciled.includes(topology(client))
                    && client.resources(Cell.class).inNamespace(NS).list().getItems().stream()
                        .allMatch(reconciled::includes));
    Thread.sleep(3_000);
    assertThat(Snapshot.of(client, NS)).isEqualTo(before);
    assertThat(Snapshot.operatorEvents(client, NS)).isEqualTo(operatorEvents);
  }

  static List<Event> events(KubernetesClient client, String about) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> about.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  static Condition condition(Cell cell, String type) {
    assertThat(cell).isNotNull();
    assertThat(cell.getStatus()).isNotNull();
    return cell.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError("no condition " + type + " on " + cell.getMetadata().getName()));
  }
}

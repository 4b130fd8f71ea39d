package io.unitcell.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.unitcell.operator.OperatorTestbed;
import io.unitcell.operator.Samples;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.testbed.WithKubeTestbed;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topology reconciler on a real API server (testbed Tier 1), run in this JVM by JOSDK: the
 * routing table ConfigMap covers every slot exactly once, a weight change moves only the slots it
 * must and bumps the epoch once, and a steady state writes nothing.
 */
@WithKubeTestbed(tier = 1)
public class TopologyReconcilerTest {

  static final String NS = "topology-reconciler";
  static Operator operator;

  @BeforeAll
  static void start(KubernetesClient client) throws Exception {
    operator = OperatorTestbed.start(client, NS, new TopologyReconciler());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
  }

  static Topology topology(String name) {
    return Samples.topology(NS, name, "zone-a", "zone-b");
  }

  public static Cell cell(String name, String topology, String primary, String standby) {
    return Samples.cell(NS, name, topology, primary, standby);
  }

  static ConfigMap tableMap(KubernetesClient client, String topology) {
    return client.configMaps().inNamespace(NS).withName(TableNames.configMap(topology)).get();
  }

  static RoutingTable table(KubernetesClient client, String topology) {
    return RoutingTableConfigMap.table(tableMap(client, topology));
  }

  @Test
  void publishesTheTableAndMovesOnlyWhatAWeightChangeNeeds(KubernetesClient client) {
    client.resource(topology("shop")).create();
    for (int i = 1; i <= 4; i++) {
      client
          .resource(
              cell(
                  "cell-" + i,
                  "shop",
                  i % 2 == 1 ? "zone-a" : "zone-b",
                  i % 2 == 1 ? "zone-b" : "zone-a"))
          .create();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> table(client, "shop") != null && table(client, "shop").cells().size() == 4);
    RoutingTable first = table(client, "shop");
    assertThat(first.slotCount()).isEqualTo(1024);
    for (int i = 1; i <= 4; i++) {
      assertThat(first.slotCountOf("cell-" + i)).isEqualTo(256);
    }
    assertThat(first.route("cell-2").zone()).isEqualTo("zone-b");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Topology seen =
                  client.resources(Topology.class).inNamespace(NS).withName("shop").get();
              assertThat(seen.getStatus().getEpoch()).isEqualTo(first.epoch());
              assertThat(seen.getStatus().getSlotsByCell()).containsEntry("cell-1", 256);
            });

    // cell-1 doubles its weight: 1024 * 2/5 = 409 or 410 slots, taken from the others only
    client
        .resources(Cell.class)
        .inNamespace(NS)
        .withName("cell-1")
        .edit(
            c -> {
              c.getSpec().setWeight(2);
              return c;
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> table(client, "shop").epoch() > first.epoch());
    RoutingTable second = table(client, "shop");
    assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
    int gained = second.slotCountOf("cell-1") - first.slotCountOf("cell-1");
    assertThat(second.slotCountOf("cell-1")).isBetween(409, 410);
    assertThat(Planner.movedSlots(first.ownerBySlot(), second.ownerBySlot())).isEqualTo(gained);

    // steady state: nothing is written again
    String version = tableMap(client, "shop").getMetadata().getResourceVersion();
    client
        .resources(Topology.class)
        .inNamespace(NS)
        .withName("shop")
        .edit(
            t -> {
              t.getMetadata()
                  .setLabels(java.util.Map.of("touched", "yes")); // an event, no real change
              return t;
            });
    await()
        .pollDelay(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tableMap(client, "shop").getMetadata().getResourceVersion())
                    .isEqualTo(version));
    assertThat(table(client, "shop").epoch()).isEqualTo(second.epoch());
  }
}

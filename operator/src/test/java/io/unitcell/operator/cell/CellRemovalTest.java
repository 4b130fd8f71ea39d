package io.unitcell.operator.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.unitcell.operator.OperatorTestbed;
import io.unitcell.operator.Samples;
import io.unitcell.operator.crds.CrdValidationTest;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Condition;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.operator.topology.TopologyReconciler;
import io.unitcell.testbed.WithKubeTestbed;
import io.unitcell.topology.CellState;
import io.unitcell.topology.RoutingTable;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's own refusal to delete a Cell that owns slots (its finalizer), on a real API server
 * without the chart's admission policies (Tier 1, both reconcilers in this JVM): refused with a
 * condition, then drained (fenced, a data step naming another epoch not accepted, then moved), or
 * deleted with its data given up explicitly.
 */
@WithKubeTestbed(tier = 1)
class CellRemovalTest {

  static final String NS = "cell-removal";
  static final Duration WAIT = Duration.ofSeconds(30);
  static Operator operator;

  @BeforeAll
  static void start(KubernetesClient client) throws Exception {
    CrdValidationTest.installCrds(client, NS, false);
    operator = OperatorTestbed.run(client, new TopologyReconciler(), new CellReconciler());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
  }

  static RoutingTable table(KubernetesClient client) {
    return RoutingTableConfigMap.table(
        client.configMaps().inNamespace(NS).withName(TableNames.configMap("shop")).get());
  }

  static Cell cell(KubernetesClient client, String name) {
    return client.resources(Cell.class).inNamespace(NS).withName(name).get();
  }

  static Condition removable(KubernetesClient client, String name) {
    Cell cell = cell(client, name);
    return cell == null || cell.getStatus() == null
        ? null
        : cell.getStatus().getConditions().stream()
            .filter(c -> "Removable".equals(c.getType()))
            .findFirst()
            .orElse(null);
  }

  @Test
  void aCellThatOwnsSlotsIsDeletedOnlyAfterItsDrainOrWithItsDataGivenUp(KubernetesClient client) {
    client.resource(Samples.topology(NS, "shop", "zone-a", "zone-b")).create();
    for (String name : new String[] {"cell-1", "cell-2", "cell-3"}) {
      client.resource(Samples.cell(NS, name, "shop", "zone-a", "zone-b")).create();
    }
    await().atMost(WAIT).until(() -> table(client) != null && table(client).cells().size() == 3);
    RoutingTable before = table(client);

    client.resources(Cell.class).inNamespace(NS).withName("cell-2").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(removable(client, "cell-2"))
                    .isNotNull()
                    .satisfies(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("OwnsSlots");
                          assertThat(c.getMessage())
                              .contains("owns " + before.slotCountOf("cell-2") + " slots")
                              .contains("spec.drain.to")
                              .contains("unitcell.io/abandon-data=true");
                        }));
    assertThat(table(client).slotCountOf("cell-2")).isEqualTo(before.slotCountOf("cell-2"));

    Samples.setDrain(client, NS, "cell-2", "cell-1", null);
    await().atMost(WAIT).until(() -> table(client).route("cell-2").state() == CellState.FENCED);
    long fence = table(client).epoch();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(removable(client, "cell-2").getReason()).isEqualTo("Draining"));

    // a data step naming another epoch is not accepted: still fenced, still there
    Samples.setDrain(client, NS, "cell-2", "cell-1", fence + 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(() -> cell(client, "cell-2") != null && table(client).epoch() == fence);

    Samples.setDrain(client, NS, "cell-2", "cell-1", fence);
    await().atMost(WAIT).until(() -> cell(client, "cell-2") == null);
    RoutingTable moved = table(client);
    assertThat(moved.epoch()).isEqualTo(fence + 1);
    assertThat(moved.slotCountOf("cell-1"))
        .isEqualTo(before.slotCountOf("cell-1") + before.slotCountOf("cell-2"));

    // given up explicitly: deleted at once, its slots planned over the others
    client
        .resources(Cell.class)
        .inNamespace(NS)
        .withName("cell-3")
        .edit(
            c -> {
              c.getMetadata().setAnnotations(Map.of(CellReconciler.ABANDON_ANNOTATION, "true"));
              return c;
            });
    client.resources(Cell.class).inNamespace(NS).withName("cell-3").delete();
    await().atMost(WAIT).until(() -> cell(client, "cell-3") == null);
    await().atMost(WAIT).until(() -> !table(client).cells().containsKey("cell-3"));
    assertThat(table(client).slotCountOf("cell-1")).isEqualTo(1024);
  }
}

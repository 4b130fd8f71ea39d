package io.unitcell.operator.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.unitcell.operator.OperatorTestbed;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.topology.TopologyReconcilerTest;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.WithKubeTestbed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cell reconciler on a real API server (testbed Tier 1, run in this JVM by JOSDK): the objects
 * a Cell gets, owned by it; scaling the Cell moves the autoscaler's floor; a steady state writes
 * nothing. (Pods and garbage collection need Tier 2's controllers: not here.)
 */
@WithKubeTestbed(tier = 1)
class CellReconcilerTest {

  static final String NS = "cell-reconciler";
  static Operator operator;

  @BeforeAll
  static void start(KubernetesClient client) throws Exception {
    operator = OperatorTestbed.start(client, NS, new CellReconciler());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
  }

  static Cell newCell(String name) {
    Cell cell = TopologyReconcilerTest.cell(name, "shop", "zone-a", "zone-b");
    cell.getMetadata().setNamespace(NS);
    return cell;
  }

  @Test
  void aCellGetsItsObjectsAndScalingMovesTheAutoscalerFloor(
      KubeTestbed testbed, KubernetesClient client) {
    client.resource(newCell("cell-1")).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> hpa(client) != null);

    Deployment active = client.apps().deployments().inNamespace(NS).withName("cell-1-zone-a").get();
    Deployment standby =
        client.apps().deployments().inNamespace(NS).withName("cell-1-zone-b").get();
    assertThat(active.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("unitcell.io/role", "active")
        .containsEntry("topology.kubernetes.io/zone", "zone-a");
    assertThat(
            active
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0)
                .getMatchExpressions()
                .get(0)
                .getValues())
        .containsExactly("zone-a");
    assertThat(standby.getSpec().getReplicas()).isEqualTo(1);
    assertThat(standby.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("unitcell.io/role", "standby");
    assertThat(
            active.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getName())
        .isEqualTo("shop-routing-table");

    Service service = client.services().inNamespace(NS).withName("cell-1").get();
    assertThat(service.getSpec().getSelector())
        .containsEntry("unitcell.io/role", "active")
        .containsEntry("unitcell.io/cell", "cell-1");
    HorizontalPodAutoscaler hpa = hpa(client);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("cell-1-zone-a");
    PodDisruptionBudget pdb =
        client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("cell-1").get();
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    ConfigMap config = client.configMaps().inNamespace(NS).withName("cell-1-config").get();
    assertThat(config.getData())
        .containsEntry("UNITCELL_CELL", "cell-1")
        .containsEntry("UNITCELL_DB_URL", "jdbc:mysql://vtgate.zone-a:15306/cell_1");
    Cell cell = client.resources(Cell.class).inNamespace(NS).withName("cell-1").get();
    for (HasMetadata owned : List.of(active, standby, service, hpa, pdb, config)) {
      assertThat(owned.getMetadata().getOwnerReferences())
          .as(owned.getKind() + " owned by the Cell")
          .anyMatch(ref -> ref.getUid().equals(cell.getMetadata().getUid()));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Cell seen = client.resources(Cell.class).inNamespace(NS).withName("cell-1").get();
              return seen.getStatus() != null && "zone-a".equals(seen.getStatus().getActiveZone());
            });

    // kubectl scale goes through the scale subresource to spec.replicas, and on to the autoscaler
    testbed.kubectl("scale", "cells.unitcell.io/cell-1", "-n", NS, "--replicas=4");
    await().atMost(Duration.ofSeconds(30)).until(() -> hpa(client).getSpec().getMinReplicas() == 4);

    // steady state: an event without a change writes nothing
    Map<String, String> versions = versions(client);
    client
        .resources(Cell.class)
        .inNamespace(NS)
        .withName("cell-1")
        .edit(
            c -> {
              c.getMetadata().setLabels(Map.of("touched", "yes"));
              return c;
            });
    await()
        .pollDelay(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(versions(client)).isEqualTo(versions));
  }

  static HorizontalPodAutoscaler hpa(KubernetesClient client) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .withName("cell-1")
        .get();
  }

  static Map<String, String> versions(KubernetesClient client) {
    return Stream.of(
            client.apps().deployments().inNamespace(NS).withName("cell-1-zone-a").get(),
            client.apps().deployments().inNamespace(NS).withName("cell-1-zone-b").get(),
            client.services().inNamespace(NS).withName("cell-1").get(),
            hpa(client),
            client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("cell-1").get(),
            client.configMaps().inNamespace(NS).withName("cell-1-config").get())
        .collect(
            java.util.stream.Collectors.toMap(
                o -> o.getKind() + "/" + o.getMetadata().getName(),
                o -> o.getMetadata().getResourceVersion()));
  }
}

package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.topology.RoutingTable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The table from a ConfigMap on a real API server (testbed Tier 1), followed with a watch: a newer
 * epoch re-routes without a restart, an older one is ignored, the epoch is exposed.
 */
class ConfigMapIT {

  static final String NAMESPACE = "unitcell";
  static final String NAME = "orders-routing-table";
  static KubeTestbed kube;
  static RouterHarness harness;
  static Map<String, Stub> stubs = new HashMap<>();

  @BeforeAll
  static void start() {
    kube = KubeTestbed.startTier1();
    harness = new RouterHarness("configmap");
    for (String cell : List.of("cell-1", "cell-2")) {
      stubs.put(cell, harness.stub(cell));
    }
    KubernetesClient client = kube.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    publish(RoutingIT.table(1, Map.of("cell-1", 1, "cell-2", 1), stubs));
    harness.startRouter(
        Map.of(
            "UNITCELL_ROUTER_AUTH",
            "header",
            "UNITCELL_ROUTING_TABLE_CONFIGMAP",
            NAMESPACE + "/" + NAME,
            "KUBECONFIG",
            kube.kubeconfig().toString()));
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      harness.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  static void publish(RoutingTable table) {
    kube.client()
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(NAME)
                .endMetadata()
                .withData(Map.of("routing-table.json", table.toJson()))
                .build())
        .createOr(existing -> existing.update());
  }

  @Test
  void configMapUpdatesRerouteAndOlderEpochsAreIgnored() {
    RoutingTable first = RoutingIT.table(1, Map.of("cell-1", 1, "cell-2", 1), stubs);
    String user = RoutingIT.userOf("cell-1", first);
    assertThat(RoutingIT.cellSeenBy(harness, user)).isEqualTo("cell-1");
    assertThat(harness.epochServed()).isEqualTo(1);

    publish(RoutingIT.table(2, Map.of("cell-2", 1), stubs));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(RoutingIT.cellSeenBy(harness, user)).isEqualTo("cell-2"));
    assertThat(harness.epochServed()).isEqualTo(2);

    double staleBefore = harness.metric("unitcell_router_table_updates_total", "stale");
    publish(RoutingIT.table(1, Map.of("cell-1", 1), stubs));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> harness.metric("unitcell_router_table_updates_total", "stale") > staleBefore);
    assertThat(harness.epochServed()).isEqualTo(2);
    assertThat(RoutingIT.cellSeenBy(harness, user)).isEqualTo("cell-2");
    assertThat(harness.admin("/q/health/ready").body()).contains("configmap unitcell/" + NAME);
  }
}

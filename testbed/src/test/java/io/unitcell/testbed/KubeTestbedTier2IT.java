package io.unitcell.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithKubeTestbed(
    tier = 2,
    zones = {"zone-a", "zone-b"},
    nodesPerZone = 2)
class KubeTestbedTier2IT {

  static final String NS = "tier2";
  static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void namespace(KubernetesClient client) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  static Deployment deployment(String name, int replicas, boolean spreadOverZones) {
    var spec =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("unitcell/fake:1")
            .endContainer();
    if (spreadOverZones) {
      spec =
          spec.addNewTopologySpreadConstraint()
              .withMaxSkew(1)
              .withTopologyKey(KubeTestbed.ZONE_LABEL)
              .withWhenUnsatisfiable("DoNotSchedule")
              .withNewLabelSelector()
              .addToMatchLabels("app", name)
              .endLabelSelector()
              .endTopologySpreadConstraint();
    }
    return spec.endSpec().endTemplate().endSpec().build();
  }

  static List<Pod> pods(KubernetesClient client, String app) {
    return client.pods().inNamespace(NS).withLabel("app", app).list().getItems();
  }

  static boolean isRunningAndReady(Pod pod) {
    return "Running".equals(pod.getStatus().getPhase()) && podReady(pod);
  }

  static boolean podReady(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(PodCondition::getStatus)
        .anyMatch("True"::equals);
  }

  @Test
  void aDeploymentGetsRunningPodsOnFakeNodesAndIsGarbageCollected(KubernetesClient client) {
    client.apps().deployments().resource(deployment("web", 3, false)).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Pod> pods = pods(client, "web");
              assertThat(pods).hasSize(3).allMatch(KubeTestbedTier2IT::isRunningAndReady);
              assertThat(pods)
                  .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).startsWith("node-zone-"));
              assertThat(pods)
                  .allSatisfy(p -> assertThat(p.getStatus().getPodIP()).startsWith("10.244."));
            });
    assertThat(
            client.apps().replicaSets().inNamespace(NS).withLabel("app", "web").list().getItems())
        .hasSize(1);

    client.apps().deployments().inNamespace(NS).withName("web").delete();
    // the garbage collector in kube-controller-manager removes the ReplicaSet, then its pods
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .replicaSets()
                          .inNamespace(NS)
                          .withLabel("app", "web")
                          .list()
                          .getItems())
                  .isEmpty();
              assertThat(pods(client, "web")).isEmpty();
            });
  }

  @Test
  void aZoneOutageMarksItsNodesAndPodsNotReady(KubeTestbed testbed, KubernetesClient client) {
    client.apps().deployments().resource(deployment("spread", 4, true)).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Pod> pods = pods(client, "spread");
              assertThat(pods).hasSize(4).allMatch(KubeTestbedTier2IT::isRunningAndReady);
              assertThat(zonesOf(client, pods))
                  .containsOnlyKeys("zone-a", "zone-b")
                  .containsValues(2L);
            });

    testbed.takeZoneDown("zone-a");
    try {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(testbed.nodesInZone("zone-a")).noneMatch(KubeTestbed::isReady);
                assertThat(testbed.nodesInZone("zone-b")).allMatch(KubeTestbed::isReady);
                Map<Boolean, List<Pod>> byZoneA =
                    pods(client, "spread").stream()
                        .collect(
                            Collectors.partitioningBy(
                                p -> p.getSpec().getNodeName().startsWith("node-zone-a")));
                assertThat(byZoneA.get(true)).hasSize(2).noneMatch(KubeTestbedTier2IT::podReady);
                assertThat(byZoneA.get(false)).hasSize(2).allMatch(KubeTestbedTier2IT::podReady);
              });
    } finally {
      testbed.bringZoneUp("zone-a");
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(testbed.nodesInZone("zone-a")).allMatch(KubeTestbed::isReady));
  }

  static Map<String, Long> zonesOf(KubernetesClient client, List<Pod> pods) {
    return pods.stream()
        .map(
            p ->
                client
                    .nodes()
                    .withName(p.getSpec().getNodeName())
                    .get()
                    .getMetadata()
                    .getLabels()
                    .get(KubeTestbed.ZONE_LABEL))
        .collect(Collectors.groupingBy(z -> z, Collectors.counting()));
  }
}

package io.unitcell.operator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.unitcell.operator.Samples;
import io.unitcell.operator.cell.CellReconciler;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.operator.topology.TopologyReconciler;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.WithKubeTestbed;
import io.unitcell.topology.RoutingTable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code helm install} of helm/unitcell into the Tier 2 testbed: the operator Deployment gets a
 * Running, Ready pod on a fake node, and the chart's RBAC is sufficient, because the reconcilers,
 * run in this JVM with nothing but a token of the chart's ServiceAccount, reconcile a Topology and
 * its Cells.
 */
@WithKubeTestbed(
    tier = 2,
    zones = {"zone-a", "zone-b"},
    nodesPerZone = 2)
class HelmInstallIT {

  static final String RELEASE = "unitcell";
  static final String SYSTEM_NS = "unitcell-system";
  static final String SERVICE_ACCOUNT = RELEASE + "-operator";
  static final String NS = "shop-app";
  static final Duration WAIT = Duration.ofSeconds(60);

  static KubernetesClient operatorClient;
  static Operator operator;

  @BeforeAll
  static void installTheChartAndStartTheOperator(KubeTestbed testbed, KubernetesClient admin)
      throws Exception {
    HelmChartTest.Result install =
        HelmChartTest.helm(
            "install",
            RELEASE,
            HelmChartTest.CHART.toString(),
            "--namespace",
            SYSTEM_NS,
            "--create-namespace",
            "--kubeconfig",
            testbed.kubeconfig().toString(),
            "--wait",
            "--timeout",
            "120s");
    assertThat(install.exitCode()).as(install.output()).isZero();

    operatorClient = serviceAccountClient(admin);
    operator = new Operator(o -> o.withKubernetesClient(operatorClient));
    operator.register(new TopologyReconciler());
    operator.register(new CellReconciler());
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
  }

  @Test
  void theOperatorDeploymentRunsOnAFakeNode(KubernetesClient admin) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Deployment deployment =
                  admin.apps().deployments().inNamespace(SYSTEM_NS).withName(SERVICE_ACCOUNT).get();
              assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                  .isEqualTo(SERVICE_ACCOUNT);
              assertThat(deployment.getStatus().getConditions())
                  .filteredOn(c -> "Available".equals(c.getType()))
                  .extracting(DeploymentCondition::getStatus)
                  .containsExactly("True");
              List<Pod> pods =
                  admin
                      .pods()
                      .inNamespace(SYSTEM_NS)
                      .withLabel("app.kubernetes.io/name", "unitcell-operator")
                      .withLabel("app.kubernetes.io/instance", RELEASE)
                      .list()
                      .getItems();
              assertThat(pods).hasSize(1);
              Pod pod = pods.get(0);
              assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
              assertThat(pod.getStatus().getConditions())
                  .filteredOn(c -> "Ready".equals(c.getType()))
                  .extracting(PodCondition::getStatus)
                  .containsExactly("True");
              assertThat(pod.getSpec().getNodeName()).startsWith("node-zone-");
            });
  }

  @Test
  void theOperatorClientHasTheServiceAccountsRightsOnly(KubernetesClient admin) {
    assertThat(operatorClient.getConfiguration().getOauthToken()).isNotBlank();
    assertThat(operatorClient.getConfiguration().getClientCertData()).isNull();
    assertThat(operatorClient.getConfiguration().getClientCertFile()).isNull();
    assertThat(operatorClient.getConfiguration().getUsername()).isNull();

    KubernetesClientException forbidden =
        catchThrowableOfType(
            () -> operatorClient.secrets().inAnyNamespace().list(),
            KubernetesClientException.class);
    assertThat(forbidden).as("the service account may not list secrets").isNotNull();
    assertThat(forbidden.getCode()).isEqualTo(403);
    assertThat(forbidden.getMessage())
        .contains("system:serviceaccount:" + SYSTEM_NS + ":" + SERVICE_ACCOUNT);
    admin.secrets().inAnyNamespace().list();
    operatorClient.resources(Topology.class).inAnyNamespace().list();
  }

  @Test
  void theOperatorWithTheChartsServiceAccountReconcilesATopology(KubernetesClient admin) {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    admin.resource(topology("shop")).create();
    List<Cell> cells =
        List.of(
            Samples.cell(NS, "cell-1", "shop", "zone-a", "zone-b"),
            Samples.cell(NS, "cell-2", "shop", "zone-b", "zone-a"));
    cells.forEach(c -> admin.resource(c).create());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ConfigMap map =
                  admin.configMaps().inNamespace(NS).withName(TableNames.configMap("shop")).get();
              assertThat(map).as("routing table ConfigMap").isNotNull();
              RoutingTable table = RoutingTableConfigMap.table(map);
              assertThat(table).as("a readable routing table").isNotNull();
              assertThat(table.slotCount()).isEqualTo(1024);
              assertThat(Arrays.asList(table.ownerBySlot()))
                  .hasSize(1024)
                  .allMatch(owner -> "cell-1".equals(owner) || "cell-2".equals(owner));
              assertThat(table.slotCountOf("cell-1") + table.slotCountOf("cell-2")).isEqualTo(1024);
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Topology seen =
                  admin.resources(Topology.class).inNamespace(NS).withName("shop").get();
              assertThat(seen.getStatus()).isNotNull();
              assertThat(seen.getStatus().getConditions())
                  .filteredOn(c -> "Ready".equals(c.getType()))
                  .singleElement()
                  .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
            });
    for (Cell cell : cells) {
      String name = cell.getMetadata().getName();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                for (String zone : List.of("zone-a", "zone-b")) {
                  assertThat(
                          admin
                              .apps()
                              .deployments()
                              .inNamespace(NS)
                              .withName(name + "-" + zone)
                              .get())
                      .as("Deployment " + name + "-" + zone)
                      .isNotNull();
                }
                assertThat(admin.services().inNamespace(NS).withName(name).get())
                    .as("Service " + name)
                    .isNotNull();
                assertThat(
                        admin
                            .autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(NS)
                            .withName(name)
                            .get())
                    .as("HorizontalPodAutoscaler " + name)
                    .isNotNull();
                assertThat(
                        admin
                            .policy()
                            .v1()
                            .podDisruptionBudget()
                            .inNamespace(NS)
                            .withName(name)
                            .get())
                    .as("PodDisruptionBudget " + name)
                    .isNotNull();
              });
    }
  }

  /**
   * A client authenticated by a TokenRequest token of the chart's ServiceAccount only: the admin
   * config's server and CA, no client certificate, no basic auth, no kubeconfig lookup.
   */
  static KubernetesClient serviceAccountClient(KubernetesClient admin) {
    TokenRequest request =
        admin
            .serviceAccounts()
            .inNamespace(SYSTEM_NS)
            .withName(SERVICE_ACCOUNT)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build());
    String token = request.getStatus().getToken();
    assertThat(token).isNotBlank();
    Config adminConfig = admin.getConfiguration();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(adminConfig.getMasterUrl())
            .withCaCertData(adminConfig.getCaCertData())
            .withCaCertFile(adminConfig.getCaCertFile())
            .withOauthToken(token)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  static Topology topology(String name) {
    return Samples.topology(NS, name, "zone-a", "zone-b");
  }
}

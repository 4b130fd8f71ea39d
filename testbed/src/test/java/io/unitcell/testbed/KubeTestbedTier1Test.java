package io.unitcell.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithKubeTestbed(tier = 1)
class KubeTestbedTier1Test {

  static final ResourceDefinitionContext WIDGETS =
      new ResourceDefinitionContext.Builder()
          .withGroup("testbed.unitcell.io")
          .withVersion("v1")
          .withPlural("widgets")
          .withKind("Widget")
          .withNamespaced(true)
          .build();
  static final String NS = "tier1";

  @BeforeAll
  static void installCrd(KubernetesClient client) throws Exception {
    try (InputStream yaml =
        KubeTestbedTier1Test.class.getResourceAsStream("/kube/widget-crd.yaml")) {
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class);
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
    KubeTestbed.awaitEstablished(client, "widgets.testbed.unitcell.io");
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  static GenericKubernetesResource widget(
      String name, String primary, String standby, int replicas) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("testbed.unitcell.io/v1")
        .withKind("Widget")
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .addToAdditionalProperties(
            "spec", Map.of("primaryZone", primary, "standbyZone", standby, "replicas", replicas))
        .build();
  }

  @Test
  void theApiServerRejectsObjectsBreakingTheCelRule(KubernetesClient client) {
    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(WIDGETS)
                    .resource(widget("same", "zone-a", "zone-a", 1))
                    .create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("standbyZone must differ from primaryZone")
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422));
    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(WIDGETS)
                    .resource(widget("neg", "zone-a", "zone-b", -1))
                    .create())
        .hasMessageContaining("spec.replicas")
        .hasMessageContaining("should be greater than or equal to 0");
  }

  @Test
  void theApiServerEnforcesImmutabilityThroughOldSelf(KubernetesClient client) {
    client
        .genericKubernetesResources(WIDGETS)
        .resource(widget("moving", "zone-a", "zone-b", 1))
        .create();
    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(WIDGETS)
                    .resource(widget("moving", "zone-c", "zone-b", 1))
                    .fieldManager("test")
                    .forceConflicts()
                    .serverSideApply())
        .hasMessageContaining("primaryZone is immutable");
  }

  @Test
  void serverSideApplyMergesAndRecordsTheFieldManager(KubernetesClient client) {
    var widgets = client.genericKubernetesResources(WIDGETS);
    widgets
        .resource(widget("applied", "zone-a", "zone-b", 1))
        .fieldManager("unitcell-test")
        .forceConflicts()
        .serverSideApply();
    GenericKubernetesResource applied =
        widgets
            .resource(widget("applied", "zone-a", "zone-b", 3))
            .fieldManager("unitcell-test")
            .forceConflicts()
            .serverSideApply();

    assertThat(applied.<Integer>get("spec", "replicas")).isEqualTo(3);
    assertThat(applied.getMetadata().getGeneration()).isEqualTo(2);
    assertThat(applied.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
        .contains(org.assertj.core.groups.Tuple.tuple("unitcell-test", "Apply"));
  }

  @Test
  void kubectlPrintsThePrinterColumns(KubeTestbed testbed, KubernetesClient client) {
    client
        .genericKubernetesResources(WIDGETS)
        .resource(widget("printed", "zone-a", "zone-b", 2))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              String out = testbed.kubectl("get", "widgets", "-n", NS, "printed");
              assertThat(out.lines().findFirst().orElse(""))
                  .matches("NAME\\s+ZONE\\s+STANDBY\\s+REPLICAS\\s+AGE\\s*");
              assertThat(out).containsPattern("printed\\s+zone-a\\s+zone-b\\s+2\\s+\\d+s");
            });
  }
}

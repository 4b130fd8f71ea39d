package io.unitcell.operator.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.unitcell.operator.helm.HelmChartTest;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.WithKubeTestbed;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checked-in CRDs on a real API server (testbed Tier 1): what the schema and its CEL rules
 * refuse, with the messages a platform engineer sees from kubectl.
 */
@WithKubeTestbed(tier = 1)
public class CrdValidationTest {

  static final String NS = "crd-validation";
  static final ResourceDefinitionContext TOPOLOGIES = context("topologies", "Topology");
  static final ResourceDefinitionContext CELLS = context("cells", "Cell");

  static ResourceDefinitionContext context(String plural, String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("unitcell.io")
        .withVersion("v1alpha1")
        .withPlural(plural)
        .withKind(kind)
        .withNamespaced(true)
        .build();
  }

  @BeforeAll
  static void installCrds(KubernetesClient client) throws Exception {
    installCrds(client, NS);
  }

  /**
   * Installs the checked-in CRDs and the chart's admission policies (once per API server) and
   * creates {@code namespace}.
   */
  public static void installCrds(KubernetesClient client, String namespace) throws Exception {
    installCrds(client, namespace, true);
  }

  /** As {@link #installCrds(KubernetesClient, String)}, the admission policies only if asked. */
  public static void installCrds(KubernetesClient client, String namespace, boolean policies)
      throws Exception {
    for (String file : List.of("topologies.unitcell.io-v1.yml", "cells.unitcell.io-v1.yml")) {
      try (InputStream yaml = Files.newInputStream(Path.of("..", "crds", file))) {
        CustomResourceDefinition crd =
            client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class);
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .resource(crd)
            .createOr(c -> c.update());
        KubeTestbed.awaitEstablished(client, crd.getMetadata().getName());
      }
    }
    if (policies) {
      HelmChartTest.Result rendered =
          HelmChartTest.helm(
              "template",
              "unitcell",
              HelmChartTest.CHART.toString(),
              "--show-only",
              "templates/admission/cell-zones.yaml",
              "--show-only",
              "templates/admission/deletion.yaml");
      assertThat(rendered.exitCode()).as(rendered.output()).isZero();
      client
          .load(
              new java.io.ByteArrayInputStream(
                  rendered.output().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .items()
          .forEach(policy -> client.resource(policy).createOr(p -> p.update()));
    }
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  static GenericKubernetesResource resource(String kind, String name, Map<String, Object> spec) {
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion("unitcell.io/v1alpha1");
    resource.setKind(kind);
    resource.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .build());
    resource.setAdditionalProperty("spec", spec);
    return resource;
  }

  static Map<String, Object> topology(int slots, String... zones) {
    return Map.of(
        "slots",
        slots,
        "zones",
        java.util.Arrays.stream(zones).map(z -> Map.of("name", z, "region", "region-1")).toList());
  }

  static Map<String, Object> cell(String primary, String standby, int replicas, int max) {
    return Map.of(
        "topology",
        "shop",
        "primaryZone",
        primary,
        "standbyZone",
        standby,
        "replicas",
        replicas,
        "maxReplicas",
        max,
        "image",
        "unitcell/cell-app:dev",
        "database",
        Map.of("vtgate", "vtgate.zone-a:15306", "keyspace", "orders_cell_1"),
        "cache",
        "infinispan.zone-a:11222");
  }

  static String refusal(
      KubernetesClient client,
      ResourceDefinitionContext context,
      GenericKubernetesResource resource) {
    KubernetesClientException refused =
        (KubernetesClientException)
            org.assertj.core.api.Assertions.catchThrowable(
                () -> client.genericKubernetesResources(context).resource(resource).create());
    assertThat(refused)
        .as("the API server refuses " + resource.getMetadata().getName())
        .isNotNull();
    assertThat(refused.getCode()).isEqualTo(422);
    return refused.getMessage();
  }

  @Test
  void validObjectsAreAcceptedWithDefaults(KubernetesClient client) {
    GenericKubernetesResource created =
        client
            .genericKubernetesResources(TOPOLOGIES)
            .resource(
                resource(
                    "Topology",
                    "shop",
                    Map.of(
                        "zones",
                        List.of(
                            Map.of("name", "zone-a", "region", "r1"),
                            Map.of("name", "zone-b", "region", "r1")))))
            .create();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("slots", 1024);
    assertThat(spec.get("failover"))
        .isNull(); // optional object, defaults apply inside it when given

    GenericKubernetesResource cell =
        client
            .genericKubernetesResources(CELLS)
            .resource(resource("Cell", "cell-ok", cell("zone-a", "zone-b", 2, 4)))
            .create();
    @SuppressWarnings("unchecked")
    Map<String, Object> cellSpec = (Map<String, Object>) cell.getAdditionalProperties().get("spec");
    assertThat(cellSpec).containsEntry("weight", 1).containsEntry("standbyReplicas", 1);
  }

  @Test
  void cellsBreakingTheRulesAreRefusedWithReadableMessages(KubernetesClient client) {
    assertThat(
            refusal(client, CELLS, resource("Cell", "same-zone", cell("zone-a", "zone-a", 2, 4))))
        .contains("standbyZone must differ from primaryZone");
    assertThat(
            refusal(client, CELLS, resource("Cell", "negative", cell("zone-a", "zone-b", -1, 4))))
        .contains("spec.replicas")
        .contains("should be greater than or equal to 0");
    assertThat(refusal(client, CELLS, resource("Cell", "over-max", cell("zone-a", "zone-b", 5, 4))))
        .contains("replicas must not exceed maxReplicas");
    assertThat(refusal(client, CELLS, resource("Cell", "bad-zone", cell("Zone_A", "zone-b", 2, 4))))
        .contains("spec.primaryZone");
  }

  @Test
  void topologiesBreakingTheRulesAreRefused(KubernetesClient client) {
    assertThat(
            refusal(
                client,
                TOPOLOGIES,
                resource("Topology", "dup", topology(1024, "zone-a", "zone-a"))))
        .contains("zone names must be unique");
    assertThat(refusal(client, TOPOLOGIES, resource("Topology", "zero", topology(0, "zone-a"))))
        .contains("spec.slots");

    client
        .genericKubernetesResources(TOPOLOGIES)
        .resource(resource("Topology", "fixed", topology(1024, "zone-a")))
        .create();
    KubernetesClientException changed =
        (KubernetesClientException)
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    client
                        .genericKubernetesResources(TOPOLOGIES)
                        .inNamespace(NS)
                        .withName("fixed")
                        .edit(
                            t -> {
                              t.setAdditionalProperty("spec", topology(2048, "zone-a"));
                              return t;
                            }));
    assertThat(changed).isNotNull();
    assertThat(changed.getCode()).isEqualTo(422);
    assertThat(changed.getMessage()).contains("slots is immutable");
  }

  @Test
  void kubectlShowsTheCellColumns(KubeTestbed testbed, KubernetesClient client) {
    client
        .genericKubernetesResources(CELLS)
        .resource(resource("Cell", "shown", cell("zone-a", "zone-b", 1, 2)))
        .create();
    String out = testbed.kubectl("get", "cells", "-n", NS, "shown");
    assertThat(out.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "TOPOLOGY", "ZONE", "PHASE", "SLOTS", "READY", "AGE");
  }

  @Test
  void cellsNamingAZoneTheirTopologyLacksAreRefused(KubernetesClient client) {
    client
        .genericKubernetesResources(TOPOLOGIES)
        .resource(resource("Topology", "zoned", topology(64, "zone-a", "zone-b")))
        .create();
    Map<String, Object> unknownPrimary = new java.util.HashMap<>(cell("zone-c", "zone-b", 1, 2));
    unknownPrimary.put("topology", "zoned");
    Map<String, Object> unknownStandby = new java.util.HashMap<>(cell("zone-a", "zone-x", 1, 2));
    unknownStandby.put("topology", "zoned");
    Map<String, Object> known = new java.util.HashMap<>(cell("zone-b", "zone-a", 1, 2));
    known.put("topology", "zoned");
    // the API server needs a moment to compile a new policy and see the new Topology as parameter
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .ignoreExceptionsMatching(e -> e instanceof AssertionError)
        .untilAsserted(
            () -> {
              client.genericKubernetesResources(CELLS).inNamespace(NS).withName("zone-c").delete();
              assertThat(refusal(client, CELLS, resource("Cell", "zone-c", unknownPrimary)))
                  .contains(
                      "primaryZone zone-c is not a zone of topology zoned (its zones: zone-a,"
                          + " zone-b)");
            });
    assertThat(refusal(client, CELLS, resource("Cell", "zone-x", unknownStandby)))
        .contains("standbyZone zone-x is not a zone of topology zoned");
    client.genericKubernetesResources(CELLS).resource(resource("Cell", "zoned-ok", known)).create();
  }

  @Test
  void deletingATopologyWithCellsOrACellWithSlotsIsRefused(KubernetesClient client) {
    client
        .genericKubernetesResources(TOPOLOGIES)
        .resource(resource("Topology", "guarded", topology(64, "zone-a", "zone-b")))
        .create();
    Map<String, Object> spec = new java.util.HashMap<>(cell("zone-a", "zone-b", 1, 2));
    spec.put("topology", "guarded");
    client.genericKubernetesResources(CELLS).resource(resource("Cell", "holder", spec)).create();
    var topology =
        client.genericKubernetesResources(TOPOLOGIES).inNamespace(NS).withName("guarded");
    var holder = client.genericKubernetesResources(CELLS).inNamespace(NS).withName("holder");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> topology.delete()))
                    .as("topology deletion refused while a cell names it")
                    .hasMessageContaining(
                        "topology guarded still has cell holder: drain and delete its cells"
                            + " first"));

    // the cell reports slots (as the operator would): its deletion is refused unless abandoned
    holder.editStatus(
        c -> {
          c.setAdditionalProperty("status", Map.of("slots", 64));
          return c;
        });
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> holder.delete()))
        .hasMessageContaining("cell holder owns 64 slots and their users' data: drain it first");
    holder.edit(
        c -> {
          c.getMetadata().setAnnotations(Map.of("unitcell.io/abandon-data", "true"));
          return c;
        });
    holder.delete();
    holder.waitUntilCondition(java.util.Objects::isNull, 30, java.util.concurrent.TimeUnit.SECONDS);
    topology.delete();
  }
}

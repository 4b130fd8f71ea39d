package io.unitcell.bench.operator;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.CellSpec;
import io.unitcell.operator.crds.v1alpha1.Database;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.crds.v1alpha1.TopologySpec;
import io.unitcell.operator.crds.v1alpha1.Zone;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.TestbedBinaries;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What OperatorScaleIT applies: the checked-in CRDs with the chart's admission policies, as the
 * operator's tests install them ({@code CrdValidationTest.installCrds}), and sample resources as
 * the operator's {@code Samples} makes them; repeated here, since bench never depends on another
 * module's test classes.
 */
final class ScaleFixtures {
  private ScaleFixtures() {}

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** Installs the CRDs and the chart's admission policies, and creates {@code namespace}. */
  static void installCrds(KubernetesClient client, String namespace) throws Exception {
    for (String file : List.of("topologies.unitcell.io-v1.yml", "cells.unitcell.io-v1.yml")) {
      try (InputStream yaml = Files.newInputStream(ROOT.resolve("crds").resolve(file))) {
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
    String policies =
        helm(
            "template",
            "unitcell",
            ROOT.resolve("helm/unitcell").toString(),
            "--show-only",
            "templates/admission/cell-zones.yaml",
            "--show-only",
            "templates/admission/deletion.yaml");
    client
        .load(new ByteArrayInputStream(policies.getBytes(StandardCharsets.UTF_8)))
        .items()
        .forEach(policy -> client.resource(policy).createOr(p -> p.update()));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  private static String helm(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(TestbedBinaries.locate().helm().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("helm " + String.join(" ", args) + " failed:\n" + output);
    }
    return output;
  }

  /** A topology with the default 1024 slots over {@code zones} (all in region-1). */
  static Topology topology(String namespace, String name, String... zones) {
    Topology topology = new Topology();
    topology.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    TopologySpec spec = new TopologySpec();
    spec.setZones(
        Arrays.stream(zones)
            .map(
                zoneName -> {
                  Zone zone = new Zone();
                  zone.setName(zoneName);
                  zone.setRegion("region-1");
                  return zone;
                })
            .toList());
    topology.setSpec(spec);
    return topology;
  }

  /** A cell of {@code topology}, active in {@code primary}, with its own keyspace. */
  static Cell cell(String namespace, String name, String topology, String primary, String standby) {
    Cell cell = new Cell();
    cell.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    CellSpec spec = new CellSpec();
    spec.setTopology(topology);
    spec.setPrimaryZone(primary);
    spec.setStandbyZone(standby);
    spec.setImage("unitcell/cell-app:dev");
    Database database = new Database();
    database.setVtgate("vtgate." + primary + ":15306");
    database.setKeyspace(name.replace('-', '_'));
    spec.setDatabase(database);
    spec.setCache("infinispan." + primary + ":11222");
    cell.setSpec(spec);
    return cell;
  }
}

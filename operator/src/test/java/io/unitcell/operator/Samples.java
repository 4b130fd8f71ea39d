package io.unitcell.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.CellSpec;
import io.unitcell.operator.crds.v1alpha1.Database;
import io.unitcell.operator.crds.v1alpha1.Drain;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.crds.v1alpha1.TopologySpec;
import io.unitcell.operator.crds.v1alpha1.Zone;
import java.util.Arrays;

/** Sample custom resources for tests. */
public final class Samples {
  private Samples() {}

  /** A topology with the default 1024 slots over {@code zones} (all in region-1). */
  public static Topology topology(String namespace, String name, String... zones) {
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
  public static Cell cell(
      String namespace, String name, String topology, String primary, String standby) {
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

  /** A drain of a cell's slots to {@code to}, the data step named or not ({@code null}). */
  public static Drain drain(String to, Long dataMovedAtEpoch) {
    Drain drain = new Drain();
    drain.setTo(to);
    drain.setDataMovedAtEpoch(dataMovedAtEpoch);
    return drain;
  }

  /** Sets {@code spec.drain} of a Cell on the API server, as a platform engineer would. */
  public static void setDrain(
      KubernetesClient client, String namespace, String cell, String to, Long dataMovedAtEpoch) {
    client
        .resources(Cell.class)
        .inNamespace(namespace)
        .withName(cell)
        .edit(
            c -> {
              c.getSpec().setDrain(drain(to, dataMovedAtEpoch));
              return c;
            });
  }
}

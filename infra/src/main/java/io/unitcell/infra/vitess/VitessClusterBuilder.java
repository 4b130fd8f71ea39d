package io.unitcell.infra.vitess;

import io.unitcell.infra.binaries.Binaries;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** Options of a {@link VitessCluster}, and its start. */
public final class VitessClusterBuilder {

  final Path directory;
  final Map<String, String> keyspaces = new LinkedHashMap<>();
  List<String> zones = List.of();
  List<String> shards = List.of();
  String schemaSql;
  String vschemaJson;
  Binaries binaries;
  Consumer<String> progress = System.out::println;

  VitessClusterBuilder(Path directory) {
    this.directory = directory.toAbsolutePath().normalize();
  }

  /**
   * Vitess cells (zones), the first also vtgate's own. Names without {@code -}: tablet aliases are
   * {@code <cell>-<uid>}.
   */
  public VitessClusterBuilder zones(List<String> zones) {
    for (String zone : zones) {
      if (!zone.matches("[a-zA-Z0-9_]+")) {
        throw new IllegalArgumentException(
            "Vitess cell name " + zone + ": letters, digits and _ only");
      }
    }
    this.zones = List.copyOf(zones);
    return this;
  }

  /** Shards of every keyspace, e.g. {@code List.of("-")} for one or {@code -80, 80-}. */
  public VitessClusterBuilder shards(List<String> shards) {
    this.shards = List.copyOf(shards);
    return this;
  }

  /** A keyspace with its shards' primaries in the first zone. */
  public VitessClusterBuilder addKeyspace(String keyspace) {
    keyspaces.put(keyspace, null);
    return this;
  }

  /**
   * A keyspace with its shards' primaries in {@code primaryZone} and replicas in every other zone.
   */
  public VitessClusterBuilder addKeyspace(String keyspace, String primaryZone) {
    keyspaces.put(keyspace, primaryZone);
    return this;
  }

  /** DDL applied with {@code ApplySchema} to every shard; semicolon-separated statements. */
  public VitessClusterBuilder schema(String sql) {
    this.schemaSql = sql;
    return this;
  }

  /** The keyspaces' VSchema as JSON ({@code "sharded": true}, a vindex for every table). */
  public VitessClusterBuilder vschema(String json) {
    this.vschemaJson = json;
    return this;
  }

  /** Where the binaries are; default {@link Binaries#locate()}. */
  public VitessClusterBuilder binaries(Binaries binaries) {
    this.binaries = binaries;
    return this;
  }

  /** Where the start's progress lines ({@code vitess: ...}) go; default standard output. */
  public VitessClusterBuilder progress(Consumer<String> progress) {
    this.progress = Objects.requireNonNull(progress);
    return this;
  }

  /**
   * Starts every process; returns once vtgate serves all shards, else fails with a log tail. When
   * the directory holds a cluster that was stopped, that one starts again (same ports, data,
   * primaries, schema); it must have been built with the same keyspaces, zones and shards. Anything
   * else in the directory (a start that never finished) is deleted first.
   */
  public VitessCluster start() {
    if (zones.isEmpty() || shards.isEmpty() || keyspaces.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs zones, shards and a keyspace");
    }
    Map<String, String> primaryZones = new LinkedHashMap<>();
    keyspaces.forEach(
        (name, zone) -> {
          String primary = zone == null ? zones.get(0) : zone;
          if (!zones.contains(primary)) {
            throw new IllegalArgumentException(
                "keyspace " + name + ": primary zone " + primary + " is not one of " + zones);
          }
          primaryZones.put(name, primary);
        });
    String shape = ClusterLayout.describe(primaryZones, zones, shards);
    List<Integer> kept = ClusterLayout.keptPorts(directory, shape).orElse(null);
    if (kept == null) {
      Objects.requireNonNull(schemaSql, "a new cluster needs a schema");
      Objects.requireNonNull(vschemaJson, "a new cluster needs a vschema");
      ClusterLayout.prepareEmpty(directory, progress);
    }
    VitessCluster cluster = new VitessCluster(this, primaryZones, kept);
    try {
      if (cluster.resumed) {
        ClusterStart.resume(cluster);
      } else {
        ClusterStart.boot(cluster, schemaSql, vschemaJson);
        ClusterLayout.save(directory, shape, cluster.ports.handedOut());
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }
}

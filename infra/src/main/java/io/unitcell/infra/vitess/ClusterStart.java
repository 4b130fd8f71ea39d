package io.unitcell.infra.vitess;

import io.unitcell.infra.process.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link VitessCluster}'s processes come up: a new cluster (mysqld initialised, topology
 * created, primaries elected, schema applied) or a kept one started again on its data.
 */
final class ClusterStart {

  private static final Duration MYSQL_TIMEOUT = Duration.ofMinutes(3);

  private ClusterStart() {}

  /**
   * Starts a stopped cluster again: mysqld on its data, etcd with the topology (cells, keyspaces,
   * shard records with their primaries), the tablets (a tablet that its shard names as primary
   * starts as one and is made writable; the others are told to replicate again), vtgate. No schema
   * is applied: it is in the data.
   */
  static void resume(VitessCluster c) {
    long started = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(c.shutdownHook);
    createNodes(c);
    c.nodes.forEach(TabletNode::startMysql);

    long step = System.nanoTime();
    c.controlPlane.startEtcd();
    c.controlPlane.connect();
    c.controlPlane.startVtctld(c.zones.get(0));
    c.progress("etcd and vtctld up with the kept topology", step);

    step = System.nanoTime();
    c.nodes.forEach(node -> node.awaitMysql(MYSQL_TIMEOUT));
    c.progress(c.nodes.size() + " mysqld started on their data", step);

    step = System.nanoTime();
    startTablets(c);
    List<VitessTablet> primaries = new ArrayList<>();
    for (String name : c.keyspaces) {
      for (String shard : c.shards) {
        primaries.add(c.primaryOf(name, shard));
      }
    }
    // a restarted primary serves as one but its mysqld starts read-only, and replicas do not
    // replicate until told
    Parallel.forEach(primaries, primary -> c.vtctldclient("SetWritable", primary.alias(), "true"));
    Parallel.forEach(
        c.tablets().stream().filter(t -> !primaries.contains(t)).toList(),
        replica -> c.vtctldclient("StartReplication", replica.alias()));
    rebuildAndAwaitHealthy(c);
    c.progress(
        c.nodes.size()
            + " vttablets up, primaries "
            + primaries.stream().map(VitessTablet::alias).toList(),
        step);

    startVtgate(c);
    c.startupTime = Duration.ofNanos(System.nanoTime() - started);
    c.say(
        String.format(
            "vitess: started again in %.1fs: vtgate 127.0.0.1:%d (logs and data in %s)",
            c.startupTime.toMillis() / 1000.0, c.vtgatePort(), c.runDir));
  }

  static void boot(VitessCluster c, String schemaSql, String vschemaJson) {
    long started = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(c.shutdownHook);
    writeFiles(c, schemaSql, vschemaJson);
    createNodes(c);
    c.nodes.forEach(TabletNode::startMysql);

    long step = System.nanoTime();
    c.controlPlane.startEtcd();
    c.progress("etcd up", step);

    step = System.nanoTime();
    c.controlPlane.createTopology(c.zones, c.keyspaces, c.shards);
    c.controlPlane.startVtctld(c.zones.get(0));
    c.progress("topology created, vtctld up", step);

    step = System.nanoTime();
    c.nodes.forEach(node -> node.awaitMysql(MYSQL_TIMEOUT));
    c.progress(c.nodes.size() + " mysqld initialised (in parallel)", step);

    step = System.nanoTime();
    startTablets(c);
    c.progress(c.nodes.size() + " vttablets up", step);

    step = System.nanoTime();
    List<VitessTablet> primaries =
        c.tablets().stream()
            .filter(t -> t.zone().equals(c.primaryZones.get(t.keyspace())))
            .toList();
    Parallel.forEach(
        primaries,
        primary ->
            c.vtctldclient(
                "PlannedReparentShard",
                primary.keyspace() + "/" + primary.shard(),
                "--new-primary",
                primary.alias()));
    rebuildAndAwaitHealthy(c);
    c.progress("primaries elected " + c.primaryZones, step);

    step = System.nanoTime();
    for (String name : c.keyspaces) {
      c.vtctldclient("ApplySchema", "--sql-file", c.runDir.resolve("schema.sql").toString(), name);
      c.vtctldclient(
          "ApplyVSchema", "--vschema-file", c.runDir.resolve("vschema.json").toString(), name);
    }
    c.progress("schema and vschema applied to " + c.keyspaces, step);

    startVtgate(c);
    c.startupTime = Duration.ofNanos(System.nanoTime() - started);
    c.say(
        String.format(
            "vitess: ready in %.1fs: vtgate 127.0.0.1:%d (logs and data in %s)",
            c.startupTime.toMillis() / 1000.0, c.vtgatePort(), c.runDir));
  }

  private static void startTablets(VitessCluster c) {
    c.nodes.forEach(
        node ->
            node.startTablet(c.controlPlane.topologyFlags(), VitessCluster.MYSQL_SERVER_VERSION));
    c.nodes.forEach(node -> node.awaitTablet(VitessCluster.TIMEOUT));
  }

  /** Has the serving graph complete before c.vtgate starts (tablets build it in the background). */
  private static void rebuildAndAwaitHealthy(VitessCluster c) {
    c.keyspaces.forEach(
        name -> c.vtctldclient("RebuildKeyspaceGraph", "--cells", String.join(",", c.zones), name));
    c.nodes.forEach(node -> node.awaitHealthy(VitessCluster.TIMEOUT));
  }

  private static void startVtgate(VitessCluster c) {
    long step = System.nanoTime();
    c.vtgate =
        Vtgate.start(c.binaries, c.controlPlane.topologyFlags(), c.runDir, c.env, c.ports, c.zones);
    c.vtgate.awaitServing(c.keyspaces, c.shards, VitessCluster.TIMEOUT);
    c.progress("vtgate up", step);
  }

  private static void createNodes(VitessCluster c) {
    for (int k = 0; k < c.keyspaces.size(); k++) {
      for (int sh = 0; sh < c.shards.size(); sh++) {
        for (int z = 0; z < c.zones.size(); z++) {
          String zone = c.zones.get(z);
          int tabletUid = 101 + sh + 100 * z + 1000 * k;
          VitessTablet tablet =
              new VitessTablet(
                  VitessTablet.alias(zone, tabletUid),
                  zone,
                  c.shards.get(sh),
                  tabletUid,
                  c.ports.next(),
                  c.ports.next(),
                  c.ports.next(),
                  c.keyspaces.get(k));
          c.nodes.add(
              new TabletNode(tablet, c.binaries, c.dataRoot, c.runDir, c.env, c.ports.next()));
        }
      }
    }
    for (TabletNode node : c.nodes) {
      for (Path socket : node.sockets()) {
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > 100) {
          throw new IllegalStateException(
              "unix socket path too long for Linux (108 bytes at most): "
                  + socket
                  + "; keep the cluster in a directory with a shorter path");
        }
      }
    }
  }

  private static void writeFiles(VitessCluster c, String schemaSql, String vschemaJson) {
    try {
      Files.createDirectories(c.dataRoot);
      Files.writeString(
          c.runDir.resolve("extra-my.cnf"),
          Resources.text(ClusterStart.class, "/vitess/extra-my.cnf"));
      Files.writeString(c.runDir.resolve("schema.sql"), schemaSql);
      Files.writeString(c.runDir.resolve("vschema.json"), vschemaJson);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write configuration to " + c.runDir, e);
    }
  }
}

package io.unitcell.infra.vitess;

import io.unitcell.infra.binaries.Binaries;
import io.unitcell.infra.process.HttpProbe;
import io.unitcell.infra.process.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * etcd as the topology server (global root {@code /vitess/global}, one root per cell, as in the
 * Vitess local examples) and vtctld.
 */
final class ControlPlane implements AutoCloseable {

  static final String CELLS_ALIAS = "region";

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Binaries binaries;
  private final Path runDir;
  private final Map<String, String> env;
  private final Ports ports;
  private final int etcdPort;
  private ManagedProcess etcd;
  private ManagedProcess vtctld;
  private VtctldClient client;

  ControlPlane(Binaries binaries, Path runDir, Map<String, String> env, Ports ports) {
    this.binaries = binaries;
    this.runDir = runDir;
    this.env = env;
    this.ports = ports;
    this.etcdPort = ports.next();
  }

  /** Flags that point a Vitess binary at the global topology. */
  List<String> topologyFlags() {
    return List.of(
        "--topo-implementation",
        "etcd2",
        "--topo-global-server-address",
        "127.0.0.1:" + etcdPort,
        "--topo-global-root",
        "/vitess/global");
  }

  void startEtcd() {
    String client = "http://127.0.0.1:" + etcdPort;
    String peer = "http://127.0.0.1:" + ports.next();
    etcd =
        ManagedProcess.start(
            "etcd",
            List.of(
                binaries.etcd().toString(),
                "--name",
                "topo",
                "--data-dir",
                runDir.resolve("etcd").toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "topo=" + peer,
                "--unsafe-no-fsync",
                "--log-level",
                "warn"),
            runDir,
            Map.of(),
            null);
    etcd.awaitReady(TIMEOUT, () -> HttpProbe.ok(etcdPort, "/health"));
  }

  /**
   * Cells, the keyspaces and their shards, written straight to etcd as the examples' scripts do.
   */
  void createTopology(List<String> zones, List<String> keyspaces, List<String> shards) {
    connect();
    for (String zone : zones) {
      client.run(
          "AddCellInfo",
          "--root",
          "/vitess/" + zone,
          "--server-address",
          "127.0.0.1:" + etcdPort,
          zone);
    }
    // vtgate only routes replica traffic to its own cell or cells sharing an alias with it
    client.run("AddCellsAlias", "--cells", String.join(",", zones), CELLS_ALIAS);
    for (String keyspace : keyspaces) {
      client.run("CreateKeyspace", "--durability-policy", "none", keyspace);
      for (String shard : shards) {
        client.run("CreateShard", keyspace + "/" + shard);
      }
    }
  }

  /** A vtctldclient that talks to etcd directly (a resumed cluster's topology is there already). */
  void connect() {
    client =
        VtctldClient.internal(
            binaries.vitess("vtctldclient"), topologyFlags(), runDir.resolve("vtctldclient"), env);
  }

  void startVtctld(String cell) {
    int webPort = ports.next();
    int grpcPort = ports.next();
    List<String> command =
        VitessDaemon.command(
            binaries.vitess("vtctld"),
            topologyFlags(),
            List.of(
                "--cell",
                cell,
                "--service-map",
                "grpc-vtctl,grpc-vtctld",
                "--port",
                Integer.toString(webPort),
                "--grpc-port",
                Integer.toString(grpcPort),
                "--bind-address",
                "127.0.0.1",
                "--grpc-bind-address",
                "127.0.0.1",
                "--mysql-server-version",
                VitessCluster.MYSQL_SERVER_VERSION));
    vtctld = ManagedProcess.start("vtctld", command, runDir, env, null);
    vtctld.awaitReady(TIMEOUT, () -> HttpProbe.ok(webPort, "/debug/status"));
    client = client.withServer("127.0.0.1:" + grpcPort);
  }

  /** The vtctldclient talking to vtctld (to etcd directly before vtctld is up). */
  VtctldClient client() {
    return client;
  }

  @Override
  public void close() {
    if (vtctld != null) {
      vtctld.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }
}

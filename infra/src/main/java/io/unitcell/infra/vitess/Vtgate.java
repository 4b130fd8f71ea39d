package io.unitcell.infra.vitess;

import io.unitcell.infra.binaries.Binaries;
import io.unitcell.infra.process.ManagedProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** vtgate in the first zone, watching every zone, speaking the MySQL protocol on 127.0.0.1. */
final class Vtgate implements AutoCloseable {

  /** One row of {@code SHOW VITESS_TABLETS}: vtgate's health-check view of a tablet. */
  record TabletState(String alias, String shard, String type, String state) {
    boolean serving() {
      return state.equals("SERVING");
    }
  }

  private final List<String> command;
  private final Path runDir;
  private final Map<String, String> env;
  private final int mysqlPort;
  private ManagedProcess process;

  private Vtgate(List<String> command, Path runDir, Map<String, String> env, int mysqlPort) {
    this.command = List.copyOf(command);
    this.runDir = runDir;
    this.env = env;
    this.mysqlPort = mysqlPort;
    this.process = ManagedProcess.start("vtgate", command, runDir, env, null);
  }

  /** Stops vtgate (SIGKILL): the keyspace is unreachable until {@link #restart}. */
  void kill() {
    process.kill();
  }

  /** Starts vtgate again on the same ports. */
  void restart() {
    if (process.isAlive()) {
      return;
    }
    process = ManagedProcess.start("vtgate", command, runDir, env, null);
  }

  static Vtgate start(
      Binaries binaries,
      List<String> topologyFlags,
      Path runDir,
      Map<String, String> env,
      Ports ports,
      List<String> zones) {
    int mysqlPort = ports.next();
    List<String> command =
        VitessDaemon.command(
            binaries.vitess("vtgate"),
            topologyFlags,
            List.of(
                "--cell",
                zones.get(0),
                "--cells-to-watch",
                String.join(",", zones),
                "--tablet-types-to-wait",
                "PRIMARY,REPLICA",
                "--service-map",
                "grpc-vtgateservice",
                "--port",
                Integer.toString(ports.next()),
                "--grpc-port",
                Integer.toString(ports.next()),
                "--bind-address",
                "127.0.0.1",
                "--grpc-bind-address",
                "127.0.0.1",
                "--mysql-server-port",
                Integer.toString(mysqlPort),
                "--mysql-server-bind-address",
                "127.0.0.1",
                "--mysql-auth-server-impl",
                "none",
                "--mysql-server-version",
                VitessCluster.MYSQL_SERVER_VERSION,
                "--enable-buffer"));
    return new Vtgate(command, runDir, env, mysqlPort);
  }

  int mysqlPort() {
    return mysqlPort;
  }

  String jdbcUrl(String target) {
    return "jdbc:mysql://127.0.0.1:"
        + mysqlPort
        + "/"
        + target
        + "?"
        + VitessCluster.JDBC_PROPERTIES;
  }

  /** Waits until the primary and the replica of every shard of {@code keyspaces} answer queries. */
  void awaitServing(List<String> keyspaces, List<String> shards, Duration timeout) {
    process.awaitReady(
        timeout,
        () -> {
          for (String name : keyspaces) {
            for (String shard : shards) {
              selectOne(name + ":" + shard + "@primary");
              selectOne(name + ":" + shard + "@replica");
            }
          }
          return true;
        });
  }

  /** Waits until vtgate sends the primary traffic of the tablet's shard to that tablet. */
  void awaitPrimary(VitessTablet tablet, Duration timeout) {
    process.awaitReady(
        timeout,
        () ->
            tablets(tablet.keyspace()).stream()
                    .anyMatch(
                        t ->
                            t.alias().equals(tablet.alias())
                                && t.type().equals("PRIMARY")
                                && t.serving())
                && selectOne(tablet.keyspace() + ":" + tablet.shard() + "@primary"));
  }

  /** vtgate's view of the tablets of {@code name}. */
  List<TabletState> tablets(String name) throws SQLException {
    List<TabletState> tablets = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(jdbcUrl(name));
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW VITESS_TABLETS")) {
      while (rs.next()) {
        if (rs.getString("Keyspace").equals(name)) {
          tablets.add(
              new TabletState(
                  rs.getString("Alias"),
                  rs.getString("Shard"),
                  rs.getString("TabletType"),
                  rs.getString("State")));
        }
      }
    }
    return tablets;
  }

  private boolean selectOne(String target) throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl(target));
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT 1")) {
      return rs.next();
    }
  }

  @Override
  public void close() {
    process.close();
  }
}

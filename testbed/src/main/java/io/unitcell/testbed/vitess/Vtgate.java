package io.unitcell.testbed.vitess;

import io.unitcell.testbed.ManagedProcess;
import io.unitcell.testbed.TestbedBinaries;
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

/** vtgate in the primary zone, watching both zones, speaking the MySQL protocol on 127.0.0.1. */
final class Vtgate implements AutoCloseable {

  /** One row of {@code SHOW VITESS_TABLETS}: vtgate's health-check view of a tablet. */
  record TabletState(String alias, String shard, String type, String state) {
    boolean serving() {
      return state.equals("SERVING");
    }
  }

  private final ManagedProcess process;
  private final int mysqlPort;
  private final String keyspace;

  private Vtgate(ManagedProcess process, int mysqlPort, String keyspace) {
    this.process = process;
    this.mysqlPort = mysqlPort;
    this.keyspace = keyspace;
  }

  static Vtgate start(
      TestbedBinaries binaries,
      List<String> topologyFlags,
      Path runDir,
      Map<String, String> env,
      Ports ports,
      String keyspace) {
    int mysqlPort = ports.next();
    List<String> command = new ArrayList<>();
    command.add(binaries.vitess("vtgate").toString());
    command.addAll(topologyFlags);
    command.addAll(
        List.of(
            "--config-file-not-found-handling",
            "ignore",
            "--logtostderr",
            "--cell",
            VitessTestbed.PRIMARY_ZONE,
            "--cells-to-watch",
            String.join(",", VitessTestbed.ZONES),
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
            VitessTestbed.MYSQL_SERVER_VERSION,
            "--enable-buffer"));
    return new Vtgate(
        ManagedProcess.start("vtgate", command, runDir, env, null), mysqlPort, keyspace);
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
        + VitessTestbed.JDBC_PROPERTIES;
  }

  /** Waits until vtgate serves a PRIMARY and a REPLICA of every shard. */
  void awaitServing(List<String> shards, Duration timeout) {
    process.awaitReady(
        timeout,
        () -> {
          List<TabletState> tablets = tablets();
          return shards.stream()
              .allMatch(
                  shard ->
                      tablets.stream()
                              .anyMatch(t -> isServing(t, shard, "PRIMARY"))
                          && tablets.stream().anyMatch(t -> isServing(t, shard, "REPLICA")));
        });
  }

  /** Waits until vtgate sends {@code type} traffic of the tablet's shard to that tablet. */
  void awaitServing(VitessTablet tablet, String type, Duration timeout) {
    process.awaitReady(
        timeout,
        () ->
            tablets().stream()
                .anyMatch(t -> t.alias().equals(tablet.alias()) && isServing(t, tablet.shard(), type)));
  }

  /** vtgate's view of this keyspace's tablets. */
  List<TabletState> tablets() throws SQLException {
    List<TabletState> tablets = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(jdbcUrl(keyspace));
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW VITESS_TABLETS")) {
      while (rs.next()) {
        if (rs.getString("Keyspace").equals(keyspace)) {
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

  private static boolean isServing(TabletState tablet, String shard, String type) {
    return tablet.shard().equals(shard) && tablet.type().equals(type) && tablet.serving();
  }

  @Override
  public void close() {
    process.close();
  }
}

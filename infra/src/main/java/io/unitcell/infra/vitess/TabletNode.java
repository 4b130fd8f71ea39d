package io.unitcell.infra.vitess;

import io.unitcell.infra.binaries.Binaries;
import io.unitcell.infra.process.HttpProbe;
import io.unitcell.infra.process.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The processes behind one {@link VitessTablet}: mysqlctld (which initialises and runs mysqld as
 * its child, so killing it takes mysqld along) and vttablet.
 */
final class TabletNode implements AutoCloseable {

  private final VitessTablet tablet;
  private final Binaries binaries;
  private final Path tabletDir;
  private final Path logDir;
  private final Map<String, String> env;
  private final int mysqlctldPort;
  private ManagedProcess mysqlctld;
  private ManagedProcess vttablet;

  TabletNode(
      VitessTablet tablet,
      Binaries binaries,
      Path dataRoot,
      Path logDir,
      Map<String, String> env,
      int mysqlctldPort) {
    this.tablet = tablet;
    this.binaries = binaries;
    this.tabletDir = dataRoot.resolve(String.format("vt_%010d", tablet.uid()));
    this.logDir = logDir;
    this.env = env;
    this.mysqlctldPort = mysqlctldPort;
  }

  VitessTablet tablet() {
    return tablet;
  }

  /** Unix sockets this tablet uses; their paths must stay below the kernel limit of 108 bytes. */
  List<Path> sockets() {
    return List.of(tabletDir.resolve("mysql.sock"), mysqlctlSocket());
  }

  /**
   * Starts mysqlctld, which runs {@code mysqld --initialize-insecure}, init_db.sql and mysqld, or
   * only mysqld when the tablet's data directory exists (a resumed cluster).
   */
  void startMysql() {
    try {
      // left behind by a killed mysqlctld; awaitMysql would take it for the new one's
      Files.deleteIfExists(mysqlctlSocket());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    mysqlctld =
        ManagedProcess.start(
            "mysqlctld-" + tablet.uid(),
            VitessDaemon.command(
                binaries.vitess("mysqlctld"),
                List.of(),
                List.of(
                    "--tablet-uid",
                    Integer.toString(tablet.uid()),
                    "--mysql-port",
                    Integer.toString(tablet.mysqlPort()),
                    "--socket-file",
                    mysqlctlSocket().toString(),
                    "--bind-address",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(mysqlctldPort),
                    "--wait-time",
                    "3m",
                    "--shutdown-wait-time",
                    "20s")),
            logDir,
            env,
            null);
  }

  /** mysqlctld opens its socket only once mysqld is initialised and serving. */
  void awaitMysql(Duration timeout) {
    mysqlctld.awaitReady(timeout, () -> Files.exists(mysqlctlSocket()));
  }

  void startTablet(List<String> topologyFlags, String mysqlServerVersion) {
    List<String> command =
        VitessDaemon.command(
            binaries.vitess("vttablet"),
            topologyFlags,
            List.of(
                "--tablet-path",
                tablet.alias(),
                "--tablet-hostname",
                "127.0.0.1",
                "--init-keyspace",
                tablet.keyspace(),
                "--init-shard",
                tablet.shard(),
                "--init-tablet-type",
                "replica",
                "--port",
                Integer.toString(tablet.webPort()),
                "--grpc-port",
                Integer.toString(tablet.grpcPort()),
                "--bind-address",
                "127.0.0.1",
                "--grpc-bind-address",
                "127.0.0.1",
                "--service-map",
                "grpc-queryservice,grpc-tabletmanager,grpc-updatestream",
                "--mysqlctl-socket",
                mysqlctlSocket().toString(),
                "--mysql-server-version",
                mysqlServerVersion,
                "--health-check-interval",
                "1s",
                "--heartbeat-on-demand-duration",
                "5s",
                "--shutdown-grace-period",
                "1s"));
    vttablet = ManagedProcess.start("vttablet-" + tablet.uid(), command, logDir, env, null);
  }

  void awaitTablet(Duration timeout) {
    vttablet.awaitReady(timeout, () -> HttpProbe.ok(tablet.webPort(), "/debug/status"));
  }

  /** {@code /debug/health} answers 200 once the tablet serves queries (after it has a primary). */
  void awaitHealthy(Duration timeout) {
    vttablet.awaitReady(timeout, () -> HttpProbe.ok(tablet.webPort(), "/debug/health"));
  }

  boolean isRunning() {
    return mysqlctld != null && mysqlctld.isAlive() && vttablet != null && vttablet.isAlive();
  }

  /** SIGKILL of mysqld (with mysqlctld) and vttablet, as a crashed machine would look. */
  void kill() {
    if (mysqlctld != null) {
      mysqlctld.kill();
    }
    if (vttablet != null) {
      vttablet.kill();
    }
  }

  @Override
  public void close() {
    if (vttablet != null) {
      vttablet.close();
    }
    if (mysqlctld != null) {
      mysqlctld.close();
    }
  }

  private Path mysqlctlSocket() {
    return tabletDir.resolve("mysqlctl.sock");
  }
}

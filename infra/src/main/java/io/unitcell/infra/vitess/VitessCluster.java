package io.unitcell.infra.vitess;

import io.unitcell.infra.binaries.Binaries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A real sharded Vitess cluster on MySQL 8 as local processes, kept in one directory: etcd (global
 * topology plus one root per Vitess cell), vtctld, the keyspaces asked for, each with the same
 * shards, every shard with its PRIMARY in the keyspace's primary zone and a REPLICA in every other
 * zone (a vttablet and a mysqld run by mysqlctld each), and a vtgate in the first zone watching all
 * of them. Vitess cells are our zones; all are in the cells alias {@code region}, without which
 * vtgate would not send replica reads to another zone. Everything listens on 127.0.0.1.
 *
 * <p>A directory that holds a cluster stopped with {@link #close} is started again with its data,
 * ports and primaries (as the last reparent left them); see {@link VitessClusterBuilder#start}.
 *
 * <p>Keyspaces use durability policy {@code none} (asynchronous replication): this MySQL build has
 * no semi-sync plugins, and with one replica per shard {@code semi_sync} would block every write
 * once that replica is gone and refuse the EmergencyReparentShard that {@link #reparent} needs
 * after a primary died. Whoever must not lose a write across a failover waits for the replica to
 * catch up first ({@link #replicationPositions}).
 */
public final class VitessCluster implements AutoCloseable {

  /**
   * Connector/J settings for vtgate: vtgate has no TLS configured ({@code sslMode=DISABLED});
   * client-side prepared statements, because vtgate plans every query itself; local session state,
   * so the driver does not ask vtgate for autocommit and read-only around statements; and timeouts,
   * so a client of a dead shard fails instead of hanging. vtgate runs without authentication; the
   * user name only labels vtgate's query log.
   */
  public static final String JDBC_PROPERTIES =
      "user=unitcell&sslMode=DISABLED&useServerPrepStmts=false&useLocalSessionState=true"
          + "&connectTimeout=5000&socketTimeout=60000";

  /** The mysqld version, so vtgate and vttablet parse SQL as the real server does. */
  static final String MYSQL_SERVER_VERSION = "8.0.31-Vitess";

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  final List<String> keyspaces;
  final Map<String, String> primaryZones;
  final List<String> zones;
  final List<String> shards;
  final Binaries binaries;
  final Path runDir;
  final Path dataRoot;
  final Ports ports;
  final boolean resumed;
  final Consumer<String> progress;
  final Map<String, String> env;
  final ControlPlane controlPlane;
  final List<TabletNode> nodes = new ArrayList<>();
  final Thread shutdownHook = new Thread(this::close, "vitess-cluster-shutdown");
  Vtgate vtgate;
  Duration startupTime;
  private boolean closed;

  VitessCluster(
      VitessClusterBuilder options, Map<String, String> primaryZones, List<Integer> kept) {
    this.binaries = options.binaries != null ? options.binaries : Binaries.locate();
    this.runDir = options.directory;
    this.dataRoot = runDir.resolve("vtdataroot");
    this.ports = kept != null ? new Ports(kept) : new Ports();
    this.resumed = kept != null;
    this.progress = options.progress;
    this.primaryZones = Collections.unmodifiableMap(new LinkedHashMap<>(primaryZones));
    this.keyspaces = List.copyOf(primaryZones.keySet());
    this.zones = List.copyOf(options.zones);
    this.shards = List.copyOf(options.shards);
    binaries.etcd();
    List.of("mysqlctld", "vttablet", "vtctld", "vtctldclient", "vtgate").forEach(binaries::vitess);
    this.env =
        Map.of(
            "VTDATAROOT", dataRoot.toString(),
            "VT_MYSQL_ROOT", binaries.mysqlRoot().toString(),
            "EXTRA_MY_CNF", runDir.resolve("extra-my.cnf").toString());
    this.controlPlane = new ControlPlane(binaries, runDir, env, ports);
  }

  /** A cluster kept in {@code directory} (its logs, data and layout). */
  public static VitessClusterBuilder builder(Path directory) {
    return new VitessClusterBuilder(directory);
  }

  /**
   * Whether {@code directory} holds a stopped cluster that {@link VitessClusterBuilder#start}
   * resumes.
   */
  public static boolean holdsCluster(Path directory) {
    return ClusterLayout.exists(directory);
  }

  /**
   * Whether {@link VitessClusterBuilder#start} started a kept cluster again rather than a new one.
   */
  public boolean resumed() {
    return resumed;
  }

  /** Every keyspace, in the order they were added. */
  public List<String> keyspaces() {
    return keyspaces;
  }

  public List<String> zones() {
    return zones;
  }

  public List<String> shards() {
    return shards;
  }

  /** How long {@link VitessClusterBuilder#start} took. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Logs ({@code *.log}, {@code vtctldclient/}) and data ({@code vtdataroot/}, {@code etcd/}). */
  public Path runDirectory() {
    return runDir;
  }

  /** Kills vtgate, as a failed vtgate pod would look: every query of the keyspaces fails. */
  public void killVtgate() {
    vtgate.kill();
    say("vitess: vtgate killed");
  }

  /** Starts vtgate again on the same port and waits until it serves every shard. */
  public void restartVtgate() {
    long started = System.nanoTime();
    vtgate.restart();
    vtgate.awaitServing(keyspaces, shards, TIMEOUT);
    progress("vtgate restarted", started);
  }

  /** vtgate's MySQL protocol port on 127.0.0.1. */
  public int vtgatePort() {
    return vtgate.mysqlPort();
  }

  /**
   * Connector/J URL of vtgate with a Vitess target as database: a keyspace (queries routed by
   * vindex), {@code orders:-80} (that shard's primary, no routing) or {@code orders:-80@replica}.
   */
  public String jdbcUrl(String target) {
    return vtgate.jdbcUrl(target);
  }

  /** Runs {@code vtctldclient --server <vtctld> args...} and returns its stdout. */
  public String vtctldclient(String... args) {
    return controlPlane.client().run(args);
  }

  /** All tablets, by keyspace, shard and zone. */
  public List<VitessTablet> tablets() {
    return nodes.stream().map(TabletNode::tablet).toList();
  }

  /** A tablet and the type its record has now ({@code primary}, {@code replica}, ...). */
  public record TabletType(VitessTablet tablet, String type) {}

  /**
   * Every tablet with the type in its topology record (one {@code vtctldclient GetTablets}): which
   * is each shard's primary now, after reparents.
   */
  public List<TabletType> tabletTypes() {
    java.util.Map<String, String> typeByAlias = new java.util.HashMap<>();
    // zonea-0000000101 cell_1 -80 primary 127.0.0.1:15101 127.0.0.1:17101 [] <time>
    for (String line : vtctldclient("GetTablets").split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 4) {
        typeByAlias.put(fields[0], fields[3]);
      }
    }
    return tablets().stream()
        .map(t -> new TabletType(t, typeByAlias.getOrDefault(t.alias(), "unknown")))
        .toList();
  }

  /** The tablet of {@code keyspace}'s {@code shard} in {@code zone}. */
  public VitessTablet tablet(String keyspace, String shard, String zone) {
    return tablets().stream()
        .filter(
            t -> t.keyspace().equals(keyspace) && t.shard().equals(shard) && t.zone().equals(zone))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no tablet of " + keyspace + "/" + shard + " in " + zone));
  }

  /** The primary in the shard's topology record, which reparents change. */
  public VitessTablet primaryOf(String keyspace, String shard) {
    String keyspaceShard = keyspace + "/" + requireShard(shard);
    String alias =
        VtctldAnswers.primaryAlias(vtctldclient("GetShard", keyspaceShard), keyspaceShard);
    return tablets().stream()
        .filter(t -> t.alias().equals(alias))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("primary " + alias + " is not ours"));
  }

  /**
   * One tablet's replication position as vtctld sees it: whether it could be asked, and the GTID
   * set it has executed (empty when unreachable). Within one shard a replica has every transaction
   * of its primary exactly when its set {@link GtidSet#containsAll contains} the primary's.
   */
  public record Position(
      VitessTablet tablet, boolean primary, boolean reachable, GtidSet executed) {
    /** How many transactions it has executed; -1 when it could not be asked. */
    public long transactions() {
      return reachable ? executed.size() : -1;
    }
  }

  /**
   * The replication positions of every tablet of {@code keyspace}/{@code shard} ({@code
   * vtctldclient GetFullStatus}, one tablet at a time so that a dead one does not hide the others);
   * a tablet that does not answer is listed unreachable. The primary is the one in the shard's
   * record.
   */
  public List<Position> replicationPositions(String keyspace, String shard) {
    VitessTablet primary = primaryOf(keyspace, shard);
    List<Position> positions = new ArrayList<>();
    for (VitessTablet tablet : tablets()) {
      if (!tablet.keyspace().equals(keyspace) || !tablet.shard().equals(shard)) {
        continue;
      }
      GtidSet executed = null;
      try {
        executed = VtctldAnswers.executed(vtctldclient("GetFullStatus", tablet.alias()));
      } catch (RuntimeException e) {
        // not answering: unreachable
      }
      positions.add(
          new Position(
              tablet,
              tablet.equals(primary),
              executed != null,
              executed != null ? executed : GtidSet.empty()));
    }
    return positions;
  }

  /** Whether the tablet's vttablet and mysqld processes are alive. */
  public boolean isRunning(VitessTablet tablet) {
    return node(tablet).isRunning();
  }

  /** SIGKILLs the mysqld and the vttablet of {@code shard}'s current primary; returns it. */
  public VitessTablet killPrimary(String keyspace, String shard) {
    VitessTablet primary = primaryOf(keyspace, shard);
    node(primary).kill();
    say("vitess: killed primary " + primary.alias() + " of " + keyspace + "/" + shard);
    return primary;
  }

  /**
   * Makes the tablet of {@code keyspace}/{@code shard} in {@code toZone} the primary, with
   * EmergencyReparentShard when the current primary is dead and PlannedReparentShard otherwise.
   * Returns the new primary once vtgate sends the shard's primary traffic to it.
   */
  public VitessTablet reparent(String keyspace, String shard, String toZone) {
    long step = System.nanoTime();
    VitessTablet target = tablet(keyspace, shard, toZone);
    if (!isRunning(target)) {
      throw new IllegalStateException("cannot reparent to " + target.alias() + ": it was killed");
    }
    VitessTablet current = primaryOf(keyspace, shard);
    if (current.equals(target)) {
      return target;
    }
    String keyspaceShard = keyspace + "/" + shard;
    boolean planned = isRunning(current);
    if (planned) {
      vtctldclient("PlannedReparentShard", keyspaceShard, "--new-primary", target.alias());
    } else {
      // without this ERS waits --wait-replicas-timeout for the dead tablets to answer
      String dead =
          tablets().stream()
              .filter(
                  t -> t.keyspace().equals(keyspace) && t.shard().equals(shard) && !isRunning(t))
              .map(VitessTablet::alias)
              .collect(Collectors.joining(","));
      vtctldclient(
          "EmergencyReparentShard",
          keyspaceShard,
          "--new-primary",
          target.alias(),
          "--ignore-replicas",
          dead,
          "--wait-replicas-timeout",
          "30s");
    }
    vtgate.awaitPrimary(target, TIMEOUT);
    progress(
        (planned ? "planned" : "emergency")
            + " reparent of "
            + keyspaceShard
            + " to "
            + target.alias(),
        step);
    return target;
  }

  /** Stops every process: vtgate, the tablets with their mysqld, vtctld, then etcd. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long step = System.nanoTime();
    if (vtgate != null) {
      vtgate.close();
    }
    Parallel.forEach(nodes, TabletNode::close);
    controlPlane.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down and this close runs in the hook
    }
    progress("stopped", step);
  }

  void progress(String what, long sinceNanos) {
    say(String.format("vitess: %s %.1fs", what, (System.nanoTime() - sinceNanos) / 1e9));
  }

  void say(String line) {
    progress.accept(line);
  }

  private TabletNode node(VitessTablet tablet) {
    return nodes.stream()
        .filter(n -> n.tablet().equals(tablet))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not a tablet of this cluster: " + tablet));
  }

  String requireShard(String shard) {
    if (!shards.contains(shard)) {
      throw new IllegalArgumentException("unknown shard " + shard + "; shards are " + shards);
    }
    return shard;
  }
}

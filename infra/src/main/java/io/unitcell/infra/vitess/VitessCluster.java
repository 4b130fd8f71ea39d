package io.unitcell.infra.vitess;

import io.unitcell.infra.binaries.Binaries;
import io.unitcell.infra.process.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * ports and primaries (as the last reparent left them); see {@link Builder#start}.
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
  private static final Duration MYSQL_TIMEOUT = Duration.ofMinutes(3);

  private final List<String> keyspaces;
  private final Map<String, String> primaryZones;
  private final List<String> zones;
  private final List<String> shards;
  private final Binaries binaries;
  private final Path runDir;
  private final Path dataRoot;
  private final Ports ports;
  private final boolean resumed;
  private final Consumer<String> progress;
  private final Map<String, String> env;
  private final ControlPlane controlPlane;
  private final List<TabletNode> nodes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "vitess-cluster-shutdown");
  private Vtgate vtgate;
  private Duration startupTime;
  private boolean closed;

  private VitessCluster(Builder options, Map<String, String> primaryZones, List<Integer> kept) {
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
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Options of a {@link VitessCluster}. */
  public static final class Builder {
    private final Path directory;
    private final Map<String, String> keyspaces = new LinkedHashMap<>();
    private List<String> zones = List.of();
    private List<String> shards = List.of();
    private String schemaSql;
    private String vschemaJson;
    private Binaries binaries;
    private Consumer<String> progress = System.out::println;

    private Builder(Path directory) {
      this.directory = directory.toAbsolutePath().normalize();
    }

    /**
     * Vitess cells (zones), the first also vtgate's own. Names without {@code -}: tablet aliases
     * are {@code <cell>-<uid>}.
     */
    public Builder zones(List<String> zones) {
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
    public Builder shards(List<String> shards) {
      this.shards = List.copyOf(shards);
      return this;
    }

    /** A keyspace with its shards' primaries in the first zone. */
    public Builder addKeyspace(String keyspace) {
      keyspaces.put(keyspace, null);
      return this;
    }

    /**
     * A keyspace with its shards' primaries in {@code primaryZone} and replicas in every other
     * zone.
     */
    public Builder addKeyspace(String keyspace, String primaryZone) {
      keyspaces.put(keyspace, primaryZone);
      return this;
    }

    /** DDL applied with {@code ApplySchema} to every shard; semicolon-separated statements. */
    public Builder schema(String sql) {
      this.schemaSql = sql;
      return this;
    }

    /** The keyspaces' VSchema as JSON ({@code "sharded": true}, a vindex for every table). */
    public Builder vschema(String json) {
      this.vschemaJson = json;
      return this;
    }

    /** Where the binaries are; default {@link Binaries#locate()}. */
    public Builder binaries(Binaries binaries) {
      this.binaries = binaries;
      return this;
    }

    /** Where the start's progress lines ({@code vitess: ...}) go; default standard output. */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress);
      return this;
    }

    /**
     * Starts every process; returns once vtgate serves all shards, else fails with a log tail. When
     * the directory holds a cluster that was stopped, that one starts again (same ports, data,
     * primaries, schema); it must have been built with the same keyspaces, zones and shards.
     * Anything else in the directory (a start that never finished) is deleted first.
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
          cluster.resume();
        } else {
          cluster.boot(schemaSql, vschemaJson);
          ClusterLayout.save(directory, shape, cluster.ports.handedOut());
        }
        return cluster;
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
    }
  }

  /** Whether {@code directory} holds a stopped cluster that {@link Builder#start} resumes. */
  public static boolean holdsCluster(Path directory) {
    return ClusterLayout.exists(directory);
  }

  /** Whether {@link Builder#start} started a kept cluster again rather than a new one. */
  public boolean resumed() {
    return resumed;
  }

  /**
   * Starts a stopped cluster again: mysqld on its data, etcd with the topology (cells, keyspaces,
   * shard records with their primaries), the tablets (a tablet that its shard names as primary
   * starts as one and is made writable; the others are told to replicate again), vtgate. No schema
   * is applied: it is in the data.
   */
  private void resume() {
    long started = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    createNodes();
    nodes.forEach(TabletNode::startMysql);

    long step = System.nanoTime();
    controlPlane.startEtcd();
    controlPlane.connect();
    controlPlane.startVtctld(zones.get(0));
    progress("etcd and vtctld up with the kept topology", step);

    step = System.nanoTime();
    nodes.forEach(node -> node.awaitMysql(MYSQL_TIMEOUT));
    progress(nodes.size() + " mysqld started on their data", step);

    step = System.nanoTime();
    startTablets();
    List<VitessTablet> primaries = new ArrayList<>();
    for (String name : keyspaces) {
      for (String shard : shards) {
        primaries.add(primaryOf(name, shard));
      }
    }
    // a restarted primary serves as one but its mysqld starts read-only, and replicas do not
    // replicate until told
    Parallel.forEach(primaries, primary -> vtctldclient("SetWritable", primary.alias(), "true"));
    Parallel.forEach(
        tablets().stream().filter(t -> !primaries.contains(t)).toList(),
        replica -> vtctldclient("StartReplication", replica.alias()));
    rebuildAndAwaitHealthy();
    progress(
        nodes.size()
            + " vttablets up, primaries "
            + primaries.stream().map(VitessTablet::alias).toList(),
        step);

    startVtgate();
    startupTime = Duration.ofNanos(System.nanoTime() - started);
    say(
        String.format(
            "vitess: started again in %.1fs: vtgate 127.0.0.1:%d (logs and data in %s)",
            startupTime.toMillis() / 1000.0, vtgatePort(), runDir));
  }

  private void boot(String schemaSql, String vschemaJson) {
    long started = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    writeFiles(schemaSql, vschemaJson);
    createNodes();
    nodes.forEach(TabletNode::startMysql);

    long step = System.nanoTime();
    controlPlane.startEtcd();
    progress("etcd up", step);

    step = System.nanoTime();
    controlPlane.createTopology(zones, keyspaces, shards);
    controlPlane.startVtctld(zones.get(0));
    progress("topology created, vtctld up", step);

    step = System.nanoTime();
    nodes.forEach(node -> node.awaitMysql(MYSQL_TIMEOUT));
    progress(nodes.size() + " mysqld initialised (in parallel)", step);

    step = System.nanoTime();
    startTablets();
    progress(nodes.size() + " vttablets up", step);

    step = System.nanoTime();
    List<VitessTablet> primaries =
        tablets().stream().filter(t -> t.zone().equals(primaryZones.get(t.keyspace()))).toList();
    Parallel.forEach(
        primaries,
        primary ->
            vtctldclient(
                "PlannedReparentShard",
                primary.keyspace() + "/" + primary.shard(),
                "--new-primary",
                primary.alias()));
    rebuildAndAwaitHealthy();
    progress("primaries elected " + primaryZones, step);

    step = System.nanoTime();
    for (String name : keyspaces) {
      vtctldclient("ApplySchema", "--sql-file", runDir.resolve("schema.sql").toString(), name);
      vtctldclient(
          "ApplyVSchema", "--vschema-file", runDir.resolve("vschema.json").toString(), name);
    }
    progress("schema and vschema applied to " + keyspaces, step);

    startVtgate();
    startupTime = Duration.ofNanos(System.nanoTime() - started);
    say(
        String.format(
            "vitess: ready in %.1fs: vtgate 127.0.0.1:%d (logs and data in %s)",
            startupTime.toMillis() / 1000.0, vtgatePort(), runDir));
  }

  private void startTablets() {
    nodes.forEach(node -> node.startTablet(controlPlane.topologyFlags(), MYSQL_SERVER_VERSION));
    nodes.forEach(node -> node.awaitTablet(TIMEOUT));
  }

  /** Has the serving graph complete before vtgate starts (tablets build it in the background). */
  private void rebuildAndAwaitHealthy() {
    keyspaces.forEach(
        name -> vtctldclient("RebuildKeyspaceGraph", "--cells", String.join(",", zones), name));
    nodes.forEach(node -> node.awaitHealthy(TIMEOUT));
  }

  private void startVtgate() {
    long step = System.nanoTime();
    vtgate = Vtgate.start(binaries, controlPlane.topologyFlags(), runDir, env, ports, zones);
    vtgate.awaitServing(keyspaces, shards, TIMEOUT);
    progress("vtgate up", step);
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

  /** How long {@link Builder#start} took. */
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

  private void progress(String what, long sinceNanos) {
    say(String.format("vitess: %s %.1fs", what, (System.nanoTime() - sinceNanos) / 1e9));
  }

  private void say(String line) {
    progress.accept(line);
  }

  private void createNodes() {
    for (int k = 0; k < keyspaces.size(); k++) {
      for (int sh = 0; sh < shards.size(); sh++) {
        for (int z = 0; z < zones.size(); z++) {
          String zone = zones.get(z);
          int tabletUid = 101 + sh + 100 * z + 1000 * k;
          VitessTablet tablet =
              new VitessTablet(
                  VitessTablet.alias(zone, tabletUid),
                  zone,
                  shards.get(sh),
                  tabletUid,
                  ports.next(),
                  ports.next(),
                  ports.next(),
                  keyspaces.get(k));
          nodes.add(new TabletNode(tablet, binaries, dataRoot, runDir, env, ports.next()));
        }
      }
    }
    for (TabletNode node : nodes) {
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

  private void writeFiles(String schemaSql, String vschemaJson) {
    try {
      Files.createDirectories(dataRoot);
      Files.writeString(runDir.resolve("extra-my.cnf"), resource("extra-my.cnf"));
      Files.writeString(runDir.resolve("schema.sql"), schemaSql);
      Files.writeString(runDir.resolve("vschema.json"), vschemaJson);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write configuration to " + runDir, e);
    }
  }

  private TabletNode node(VitessTablet tablet) {
    return nodes.stream()
        .filter(n -> n.tablet().equals(tablet))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not a tablet of this cluster: " + tablet));
  }

  private String requireShard(String shard) {
    if (!shards.contains(shard)) {
      throw new IllegalArgumentException("unknown shard " + shard + "; shards are " + shards);
    }
    return shard;
  }

  private static String resource(String name) {
    return Resources.text(VitessCluster.class, "/vitess/" + name);
  }
}

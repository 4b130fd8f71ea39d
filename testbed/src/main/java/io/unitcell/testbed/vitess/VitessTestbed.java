package io.unitcell.testbed.vitess;

import io.unitcell.testbed.TestbedBinaries;
import io.unitcell.testbed.TestbedLogs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real sharded Vitess cluster on MySQL 8 as local processes: etcd (global topology plus one root
 * per cell), vtctld, one keyspace with shards {@code -80} and {@code 80-}, each with a PRIMARY in
 * cell {@code zone1} and a REPLICA in cell {@code zone2} (4 vttablets, 4 mysqld run by mysqlctld),
 * and a vtgate in {@code zone1} watching both cells. Vitess cells are our zones; both are in the
 * cells alias {@code region}, without which vtgate would not send replica reads to {@code zone2}.
 * Everything listens on 127.0.0.1 and keeps its logs and data in one {@link
 * TestbedLogs#newRunDirectory run directory}, or in the {@link Builder#directory directory} given,
 * where a cluster that was stopped is started again with its data.
 *
 * <p>The keyspace uses durability policy {@code none} (asynchronous replication): with one replica
 * per shard, {@code semi_sync} would block every write once that replica is gone and would refuse
 * the EmergencyReparentShard that {@link #reparent} needs after {@link #killPrimary}. A test that
 * must not lose a write across a failover waits for the replica to catch up first.
 */
public final class VitessTestbed implements AutoCloseable {

  public static final String PRIMARY_ZONE = "zone1";
  public static final String REPLICA_ZONE = "zone2";
  public static final List<String> ZONES = List.of(PRIMARY_ZONE, REPLICA_ZONE);
  public static final List<String> SHARDS = List.of("-80", "80-");

  /**
   * Connector/J settings for vtgate: vtgate has no TLS configured ({@code sslMode=DISABLED});
   * client-side prepared statements, because vtgate plans every query itself; local session state,
   * so the driver does not ask vtgate for autocommit and read-only around statements; and timeouts,
   * so a test against a dead shard fails instead of hanging. vtgate runs without authentication;
   * the user name only labels vtgate's query log.
   */
  public static final String JDBC_PROPERTIES =
      "user=unitcell&sslMode=DISABLED&useServerPrepStmts=false&useLocalSessionState=true"
          + "&connectTimeout=5000&socketTimeout=60000";

  /** The mysqld version, so vtgate and vttablet parse SQL as the real server does. */
  static final String MYSQL_SERVER_VERSION = "8.0.31-Vitess";

  private static final Duration MYSQL_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern OWN_POSITION =
      Pattern.compile("\"primary_status\"\\s*:\\s*\\{[^}]*?\"position\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern REPLICATION_POSITION =
      Pattern.compile("\"replication_status\"\\s*:\\s*\\{[^}]*?\"position\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern PRIMARY_ALIAS =
      Pattern.compile(
          "\"primary_alias\":\\s*\\{\\s*\"cell\":\\s*\"([^\"]+)\",\\s*\"uid\":\\s*(\\d+)");

  private final String keyspace;
  private final List<String> keyspaces;
  private final Map<String, String> primaryZones;
  private final List<String> zones;
  private final List<String> shards;
  private static final String LAYOUT = "cluster.properties";

  private final TestbedBinaries binaries = TestbedBinaries.locate();
  private final Path runDir;
  private final Path dataRoot;
  private final Ports ports;
  private final boolean resumed;
  private final Map<String, String> env;
  private final ControlPlane controlPlane;
  private final List<TabletNode> nodes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "vitess-testbed-shutdown");
  private Vtgate vtgate;
  private Duration startupTime;
  private boolean closed;

  private VitessTestbed(
      Map<String, String> primaryZones,
      List<String> zones,
      List<String> shards,
      Path runDir,
      Ports ports,
      boolean resumed) {
    this.runDir = runDir;
    this.dataRoot = runDir.resolve("vtdataroot");
    this.ports = ports;
    this.resumed = resumed;
    this.primaryZones =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(primaryZones));
    this.keyspaces = List.copyOf(primaryZones.keySet());
    this.keyspace = keyspaces.get(0);
    this.zones = List.copyOf(zones);
    this.shards = List.copyOf(shards);
    binaries.etcd();
    List.of("mysqlctld", "vttablet", "vtctld", "vtctldclient", "vtgate").forEach(binaries::vitess);
    this.env =
        Map.of(
            "VTDATAROOT", dataRoot.toString(),
            "VT_MYSQL_ROOT", binaries.mysqlRoot().toString(),
            "EXTRA_MY_CNF", runDir.resolve("extra-my.cnf").toString());
    this.controlPlane = new ControlPlane(binaries, runDir, env, ports);
  }

  /** Starts the cluster with keyspace {@code commerce} and the default {@code orders} table. */
  public static VitessTestbed start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Options of {@link VitessTestbed}. The defaults give keyspace {@code commerce} with table {@code
   * orders(order_id BIGINT PRIMARY KEY, user_id VARCHAR(128) COLLATE utf8mb4_bin, amount_cents,
   * status, created_at)} sharded by the {@code xxhash} vindex {@code user_hash} on {@code user_id}.
   */
  public static final class Builder {
    private final Map<String, String> keyspaces = new java.util.LinkedHashMap<>();
    private List<String> zones = ZONES;
    private List<String> shards = SHARDS;
    private String schemaSql = resource("orders-schema.sql");
    private String vschemaJson = resource("orders-vschema.json");
    private Path directory;

    private Builder() {}

    /**
     * Keeps the cluster in {@code directory} instead of a new run directory. When it holds a
     * cluster that was stopped ({@link #close}), {@link #start} starts that one again: same ports,
     * data, primaries (as the last reparent left them), schema; it must then have been built with
     * the same keyspaces, zones and shards. Anything else in it (a start that never finished) is
     * deleted first.
     */
    public Builder directory(Path directory) {
      this.directory = directory.toAbsolutePath().normalize();
      return this;
    }

    /** The one keyspace (instead of {@code commerce}), its primaries in the first zone. */
    public Builder keyspace(String keyspace) {
      keyspaces.clear();
      keyspaces.put(keyspace, null);
      return this;
    }

    /**
     * One more keyspace, with its shards' primaries in {@code primaryZone} and replicas in every
     * other zone. The first keyspace is the one the single-keyspace methods ({@link #tablet},
     * {@link #reparent}, ...) act on.
     */
    public Builder addKeyspace(String keyspace, String primaryZone) {
      keyspaces.put(keyspace, primaryZone);
      return this;
    }

    /**
     * Vitess cells (zones), the first also vtgate's own; default {@link #ZONES}. Names without
     * {@code -}: tablet aliases are {@code <cell>-<uid>}.
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

    /** Shards of every keyspace, e.g. {@code List.of("-")} for one; default {@link #SHARDS}. */
    public Builder shards(List<String> shards) {
      this.shards = List.copyOf(shards);
      return this;
    }

    /** DDL applied with {@code ApplySchema} to every shard; semicolon-separated statements. */
    public Builder schema(String sql) {
      this.schemaSql = sql;
      return this;
    }

    /** The keyspace's VSchema as JSON ({@code "sharded": true}, a vindex for every table). */
    public Builder vschema(String json) {
      this.vschemaJson = json;
      return this;
    }

    /** Starts every process; returns once vtgate serves all shards, else fails with a log tail. */
    public VitessTestbed start() {
      Map<String, String> primaryZones = new java.util.LinkedHashMap<>();
      if (keyspaces.isEmpty()) {
        keyspaces.put("commerce", null);
      }
      keyspaces.forEach(
          (name, zone) -> {
            String primary = zone == null ? zones.get(0) : zone;
            if (!zones.contains(primary)) {
              throw new IllegalArgumentException(
                  "keyspace " + name + ": primary zone " + primary + " is not one of " + zones);
            }
            primaryZones.put(name, primary);
          });
      VitessTestbed testbed = create(primaryZones);
      try {
        if (testbed.resumed) {
          testbed.resume();
        } else {
          testbed.boot(schemaSql, vschemaJson);
        }
        return testbed;
      } catch (RuntimeException e) {
        testbed.close();
        throw e;
      }
    }

    private VitessTestbed create(Map<String, String> primaryZones) {
      if (directory == null) {
        return new VitessTestbed(
            primaryZones, zones, shards, TestbedLogs.newRunDirectory("vitess"), new Ports(), false);
      }
      Path layout = directory.resolve(LAYOUT);
      String cluster = describe(primaryZones, zones, shards);
      try {
        if (Files.exists(layout)) {
          Properties saved = new Properties();
          try (var in = Files.newBufferedReader(layout)) {
            saved.load(in);
          }
          if (!cluster.equals(saved.getProperty("cluster"))) {
            throw new IllegalStateException(
                directory
                    + " holds another cluster ("
                    + saved.getProperty("cluster")
                    + ", not "
                    + cluster
                    + "); delete it to start afresh");
          }
          List<Integer> ports =
              Stream.of(saved.getProperty("ports", "").split(","))
                  .filter(p -> !p.isBlank())
                  .map(Integer::valueOf)
                  .toList();
          return new VitessTestbed(primaryZones, zones, shards, directory, new Ports(ports), true);
        }
        if (Files.exists(directory)) {
          System.out.println("vitess: deleting an unfinished cluster in " + directory);
          try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(file);
            }
          }
        }
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare " + directory, e);
      }
      return new VitessTestbed(primaryZones, zones, shards, directory, new Ports(), false);
    }
  }

  /** What must match for a kept cluster to be started again. */
  private static String describe(
      Map<String, String> primaryZones, List<String> zones, List<String> shards) {
    return "zones " + zones + ", shards " + shards + ", keyspaces " + primaryZones;
  }

  /** Written once a fresh cluster is up: it can then be started again from its directory. */
  private void saveLayout() {
    Properties layout = new Properties();
    layout.setProperty("cluster", describe(primaryZones, zones, shards));
    layout.setProperty(
        "ports", ports.handedOut().stream().map(String::valueOf).collect(Collectors.joining(",")));
    try (var out = Files.newBufferedWriter(runDir.resolve(LAYOUT))) {
      layout.store(out, "a Vitess cluster started by VitessTestbed; its ports, in order");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + runDir.resolve(LAYOUT), e);
    }
  }

  /** Whether {@code directory} holds a stopped cluster that {@link Builder#directory} resumes. */
  public static boolean holdsCluster(Path directory) {
    return Files.exists(directory.resolve(LAYOUT));
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
    nodes.forEach(node -> node.startTablet(controlPlane.topologyFlags(), MYSQL_SERVER_VERSION));
    nodes.forEach(node -> node.awaitTablet(TIMEOUT));
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
    keyspaces.forEach(
        name -> vtctldclient("RebuildKeyspaceGraph", "--cells", String.join(",", zones), name));
    nodes.forEach(node -> node.awaitHealthy(TIMEOUT));
    progress(
        nodes.size()
            + " vttablets up, primaries "
            + primaries.stream().map(VitessTablet::alias).toList(),
        step);

    step = System.nanoTime();
    vtgate =
        Vtgate.start(binaries, controlPlane.topologyFlags(), runDir, env, ports, keyspace, zones);
    vtgate.awaitServing(keyspaces, shards, TIMEOUT);
    progress("vtgate up", step);

    startupTime = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf(
        "vitess: started again in %.1fs: %s (logs and data in %s)%n",
        startupTime.toMillis() / 1000.0, jdbcUrl(), runDir);
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
    nodes.forEach(node -> node.startTablet(controlPlane.topologyFlags(), MYSQL_SERVER_VERSION));
    nodes.forEach(node -> node.awaitTablet(TIMEOUT));
    progress(nodes.size() + " vttablets up", step);

    step = System.nanoTime();
    List<VitessTablet> primaries =
        nodes.stream()
            .map(TabletNode::tablet)
            .filter(t -> t.zone().equals(primaryZones.get(t.keyspace())))
            .toList();
    Parallel.forEach(
        primaries,
        primary ->
            vtctldclient(
                "PlannedReparentShard",
                primary.keyspace() + "/" + primary.shard(),
                "--new-primary",
                primary.alias()));
    // tablets build the serving graph in the background; have it complete before vtgate starts
    keyspaces.forEach(
        name -> vtctldclient("RebuildKeyspaceGraph", "--cells", String.join(",", zones), name));
    nodes.forEach(node -> node.awaitHealthy(TIMEOUT));
    progress("primaries elected " + primaryZones, step);

    step = System.nanoTime();
    for (String name : keyspaces) {
      vtctldclient("ApplySchema", "--sql-file", runDir.resolve("schema.sql").toString(), name);
      vtctldclient(
          "ApplyVSchema", "--vschema-file", runDir.resolve("vschema.json").toString(), name);
    }
    progress("schema and vschema applied to " + keyspaces, step);

    step = System.nanoTime();
    vtgate =
        Vtgate.start(binaries, controlPlane.topologyFlags(), runDir, env, ports, keyspace, zones);
    vtgate.awaitServing(keyspaces, shards, TIMEOUT);
    progress("vtgate up", step);
    saveLayout();

    startupTime = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf(
        "vitess: ready in %.1fs: %s (logs and data in %s)%n",
        startupTime.toMillis() / 1000.0, jdbcUrl(), runDir);
  }

  /** The (first) keyspace's name. */
  public String keyspace() {
    return keyspace;
  }

  /** Every keyspace, in the order they were added. */
  public List<String> keyspaces() {
    return keyspaces;
  }

  /** How long {@link #start} took. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Logs ({@code *.log}, {@code vtctldclient/}) and data ({@code vtdataroot/}, {@code etcd/}). */
  public Path runDirectory() {
    return runDir;
  }

  /** Kills vtgate, as a failed vtgate pod would look: every query of the keyspace fails. */
  public void killVtgate() {
    vtgate.kill();
    System.out.println("vitess: vtgate killed");
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

  /** Connector/J URL of vtgate with the keyspace as database: queries are routed by vindex. */
  public String jdbcUrl() {
    return jdbcUrl(keyspace);
  }

  /**
   * Connector/J URL of vtgate with a Vitess target as database, e.g. {@code commerce:-80} (that
   * shard's primary, no vindex routing) or {@code commerce:-80@replica} (that shard's replica).
   */
  public String jdbcUrl(String target) {
    return vtgate.jdbcUrl(target);
  }

  /** Connector/J URL that reads and writes only {@code shard}'s primary, without routing. */
  public String shardJdbcUrl(String shard) {
    return jdbcUrl(keyspace + ":" + requireShard(shard));
  }

  /** Runs {@code vtctldclient --server <vtctld> args...} and returns its stdout. */
  public String vtctldclient(String... args) {
    return controlPlane.client().run(args);
  }

  /** All tablets: {@code -80} in zone1 and zone2, then {@code 80-} in zone1 and zone2. */
  public List<VitessTablet> tablets() {
    return nodes.stream().map(TabletNode::tablet).toList();
  }

  /** The tablet of the (first) keyspace's {@code shard} in {@code zone}. */
  public VitessTablet tablet(String shard, String zone) {
    return tablet(keyspace, shard, zone);
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

  /** The primary of the (first) keyspace's shard in its topology record. */
  public VitessTablet primaryOf(String shard) {
    return primaryOf(keyspace, shard);
  }

  /** The primary in the shard's topology record, which reparents change. */
  public VitessTablet primaryOf(String keyspace, String shard) {
    String json = vtctldclient("GetShard", keyspace + "/" + requireShard(shard));
    Matcher m = PRIMARY_ALIAS.matcher(json);
    if (!m.find()) {
      throw new IllegalStateException(
          "shard " + keyspace + "/" + shard + " has no primary:\n" + json);
    }
    String alias = VitessTablet.alias(m.group(1), Integer.parseInt(m.group(2)));
    return tablets().stream()
        .filter(t -> t.alias().equals(alias))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("primary " + alias + " is not ours"));
  }

  /**
   * One tablet's replication position as vtctld sees it: whether it could be asked, and how many
   * transactions (GTIDs) it has executed. Within one shard the numbers compare: a replica that has
   * as many as its primary has every transaction of it.
   */
  public record Position(
      VitessTablet tablet, boolean primary, boolean reachable, long transactions) {}

  /**
   * The replication positions of every tablet of {@code keyspace}/{@code shard}: the transactions
   * each has executed ({@code vtctldclient GetFullStatus}, one tablet at a time so that a dead one
   * does not hide the others); a tablet that does not answer is listed unreachable. The primary is
   * the one in the shard's record.
   */
  public List<Position> replicationPositions(String keyspace, String shard) {
    VitessTablet primary = primaryOf(keyspace, shard);
    List<Position> positions = new ArrayList<>();
    for (VitessTablet tablet : tablets()) {
      if (!tablet.keyspace().equals(keyspace) || !tablet.shard().equals(shard)) {
        continue;
      }
      long transactions = -1;
      try {
        transactions = executedTransactions(vtctldclient("GetFullStatus", tablet.alias()));
      } catch (RuntimeException e) {
        // not answering: unreachable
      }
      positions.add(new Position(tablet, tablet.equals(primary), transactions >= 0, transactions));
    }
    return positions;
  }

  /**
   * The executed GTID set's size from a {@code GetFullStatus} answer: the server's own position
   * ({@code primary_status}, kept by every tablet with binary logs), else the replication one.
   */
  static long executedTransactions(String fullStatusJson) {
    Matcher own = OWN_POSITION.matcher(fullStatusJson);
    if (own.find()) {
      return gtidCount(own.group(1));
    }
    Matcher replicated = REPLICATION_POSITION.matcher(fullStatusJson);
    if (replicated.find()) {
      return gtidCount(replicated.group(1));
    }
    throw new IllegalStateException("no position in: " + fullStatusJson);
  }

  /**
   * How many transactions a MySQL GTID position names, e.g. {@code MySQL56/uuid1:1-5:7,uuid2:1-3}
   * is 6 + 3 = 9.
   */
  static long gtidCount(String position) {
    String set = position.substring(position.indexOf('/') + 1).trim();
    long count = 0;
    if (set.isEmpty()) {
      return 0;
    }
    for (String source : set.split(",")) {
      String[] parts = source.trim().split(":");
      for (int i = 1; i < parts.length; i++) {
        String[] range = parts[i].split("-");
        long from = Long.parseLong(range[0]);
        long to = range.length > 1 ? Long.parseLong(range[1]) : from;
        count += to - from + 1;
      }
    }
    return count;
  }

  /** Whether the tablet's vttablet and mysqld processes are alive. */
  public boolean isRunning(VitessTablet tablet) {
    return node(tablet).isRunning();
  }

  /** SIGKILLs the mysqld and the vttablet of {@code shard}'s current primary; returns it. */
  public VitessTablet killPrimary(String shard) {
    VitessTablet primary = primaryOf(shard);
    node(primary).kill();
    System.out.printf("vitess: killed primary %s of %s/%s%n", primary.alias(), keyspace, shard);
    return primary;
  }

  /**
   * Makes the tablet of the (first) keyspace's {@code shard} in {@code toZone} the primary; see
   * {@link #reparent(String, String, String)}.
   */
  public VitessTablet reparent(String shard, String toZone) {
    return reparent(keyspace, shard, toZone);
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

  static void progress(String what, long sinceNanos) {
    System.out.printf("vitess: %s %.1fs%n", what, (System.nanoTime() - sinceNanos) / 1e9);
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
                  + "; use a shorter -Dtestbed.dir");
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
        .orElseThrow(() -> new IllegalArgumentException("not a tablet of this testbed: " + tablet));
  }

  private String requireShard(String shard) {
    if (!shards.contains(shard)) {
      throw new IllegalArgumentException("unknown shard " + shard + "; shards are " + shards);
    }
    return shard;
  }

  private static String resource(String name) {
    try (InputStream in = VitessTestbed.class.getResourceAsStream("/vitess/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /vitess/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource /vitess/" + name, e);
    }
  }
}

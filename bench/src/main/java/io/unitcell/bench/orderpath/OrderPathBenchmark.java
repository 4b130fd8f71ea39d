package io.unitcell.bench.orderpath;

import io.unitcell.bench.orderpath.ClosedLoop.Result;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.infra.process.HttpProbe;
import io.unitcell.infra.process.ManagedProcess;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Order creation end to end (HTTP → cell-app → vtgate → MySQL) next to a raw JDBC insert loop on
 * the same vtgate, in one run, one JVM: starts a two-shard Vitess keyspace {@code orders} with the
 * cell-app's schema and VSchema, an Infinispan server, a routing table in which {@code cell-1} owns
 * every slot, and the cell-app's runnable jar as a child process; then drives {@code POST /orders}
 * with C virtual users (warm-up, measured phase), stops the app, and drives the same two inserts
 * per order over plain Connector/J with C threads for the same warm-up and measured time. Prints
 * requests, errors, orders/s and latency percentiles of each side and the http/jdbc ratios.
 *
 * <p>Run through {@code bench/order-path.sh}, which builds what this needs.
 */
public final class OrderPathBenchmark {

  static final String REQUEST_JSON =
      "{\"currency\":\"CNY\",\"lines\":[{\"sku\":\"sku-1\",\"quantity\":2,\"unitPriceCents\":1999}]}";

  /** What the app stores for that request: its lines as JSON, the total, the request's hash. */
  static final String LINES_JSON = "[{\"sku\":\"sku-1\",\"quantity\":2,\"unitPriceCents\":1999}]";

  static final long TOTAL_CENTS = 2 * 1999;
  static final String REQUEST_HASH = sha256Hex(REQUEST_JSON);

  private static final String CELL = "cell-1";
  private static final String KEYSPACE = "orders";
  // the layout every cell's keyspace has: two shards, primaries in one zone, replicas in another
  private static final List<String> ZONES = List.of("zone1", "zone2");
  private static final List<String> SHARDS = List.of("-80", "80-");
  private static final Duration APP_READY_TIMEOUT = Duration.ofMinutes(3);

  private final OrderPathOptions options;
  private final String runId = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

  private OrderPathBenchmark(OrderPathOptions options) {
    this.options = options;
  }

  public static void main(String[] args) {
    OrderPathOptions options = OrderPathOptions.parse(args);
    int exit;
    try {
      exit = new OrderPathBenchmark(options).run();
    } catch (RuntimeException e) {
      System.out.flush();
      System.err.println("order-path: FAILED");
      e.printStackTrace();
      exit = 1;
    }
    System.out.flush();
    // the in-process Infinispan server leaves non-daemon threads behind
    System.exit(exit);
  }

  private int run() {
    Path repo = options.repo();
    int concurrency = options.concurrency();
    Duration warmup = options.warmup();
    Duration measure = options.measure();
    Path db = repo.resolve("cell-app/src/main/resources/db");
    String schema = read(db.resolve("schema.sql"));
    String vschema = read(db.resolve("vschema.json"));
    Map<String, String> jdbcProperties =
        AppSettings.jdbcProperties(
            repo.resolve("cell-app/src/main/resources/application.properties"));
    Path runDir = newRunDirectory();
    String secret = UUID.randomUUID().toString();
    log(
        "run %s: %d virtual users per side, %d s warm-up + %d s measured per side, %s; %d cores,"
            + " Java %s; logs in %s",
        runId,
        concurrency,
        warmup.toSeconds(),
        measure.toSeconds(),
        options.httpOnly() ? "HTTP phase only" : "HTTP phase first, then JDBC",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        runDir);

    VitessCluster vitess = null;
    InfinispanServer cache = null;
    ManagedProcess app = null;
    try {
      log("starting Vitess keyspace %s (shards -80, 80-; primary + replica each)", KEYSPACE);
      vitess =
          VitessCluster.builder(runDir.resolve("vitess"))
              .zones(ZONES)
              .shards(SHARDS)
              .addKeyspace(KEYSPACE)
              .schema(schema)
              .vschema(vschema)
              .start();
      String appDbUrl = "jdbc:mysql://127.0.0.1:" + vitess.vtgatePort() + "/" + KEYSPACE;
      String jdbcUrl = AppSettings.rawJdbcUrl(appDbUrl, jdbcProperties);

      long step = System.nanoTime();
      cache = InfinispanServer.start(runDir.resolve("infinispan"));
      log("Infinispan up at %s in %.1fs", cache.hosts(), seconds(step));

      int appPort = ManagedProcess.freePort();
      Path table = writeRoutingTable(runDir, appPort);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("UNITCELL_DB_URL", appDbUrl);
      env.put("UNITCELL_CELL", CELL);
      env.put("UNITCELL_ROUTING_TABLE", table.toString());
      env.put("UNITCELL_ROUTER_SECRET", secret);
      env.put("UNITCELL_CACHE_HOSTS", cache.hosts());
      env.put("QUARKUS_HTTP_PORT", Integer.toString(appPort));
      env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
      if (!options.appEnv().isEmpty()) {
        log("cell-app environment added with --app-env: %s", options.appEnv());
        env.putAll(options.appEnv());
      }
      step = System.nanoTime();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>();
      command.add(java);
      command.add("-Xmx512m"); // as CellAppProcess runs the packaged app
      // GC pauses of the app, to read next to its latency outliers
      command.add("-Xlog:gc:file=" + runDir.resolve("cell-app-gc.log") + ":uptime,level");
      if (options.jfr()) {
        command.addAll(AppProfile.jvmOptions(runDir));
      }
      command.addAll(List.of("-jar", options.appJar().toString()));
      app = ManagedProcess.start("cell-app", command, runDir, env, runDir.resolve("cell-app-work"));
      URI base = URI.create("http://127.0.0.1:" + appPort);
      HttpClient client = HttpOrders.client();
      app.awaitReady(APP_READY_TIMEOUT, () -> HttpProbe.ok(appPort, "/q/health/ready"));
      log(
          "cell-app up (pid %d, port %d) in %.1fs; log %s",
          app.pid(), appPort, seconds(step), app.log());
      smokeTest(client, base.resolve("/orders"), secret);

      // the same number of users on each shard for both sides, so neither gets a luckier split
      List<String> httpUsers = balancedUsers(jdbcUrl, "bench-http-" + runId + "-u");
      List<String> jdbcUsers = balancedUsers(jdbcUrl, "bench-jdbc-" + runId + "-u");
      URI orders = base.resolve("/orders");
      long appPid = app.pid();
      AtomicReference<CpuUsage> cpuFrom = new AtomicReference<>();
      AtomicReference<CpuUsage> cpuTo = new AtomicReference<>();
      AppProfile profile = options.jfr() ? new AppProfile(appPid, base, runDir) : null;
      if (profile != null) {
        profile.scrapeDuringWarmUp();
      }
      log("HTTP phase: %d s warm-up", warmup.toSeconds());
      Result http =
          ClosedLoop.run(
              "http",
              concurrency,
              i ->
                  new HttpOrders(
                      client, orders, httpUsers.get(i), "k-" + runId + "-" + i + "-", secret),
              warmup,
              measure,
              () -> {
                cpuFrom.set(CpuUsage.snapshot(appPid));
                if (profile != null) {
                  profile.start();
                }
                log("HTTP phase: measuring %d s", measure.toSeconds());
              },
              () -> {
                cpuTo.set(CpuUsage.snapshot(appPid));
                if (profile != null) {
                  profile.stop();
                }
              });
      String httpCpu = cpuTo.get().since(cpuFrom.get());
      log("HTTP phase done: %d orders, %d errors", http.orders(), http.errorCount());
      if (profile != null) {
        System.out.print(profile.report(http.orders()));
        log("JFR recording of the measured HTTP phase: %s", profile.recording());
      }

      step = System.nanoTime();
      app.close();
      log(
          "cell-app stopped in %.1fs (so it does not share the machine with the JDBC phase)",
          seconds(step));
      if (options.httpOnly()) {
        // --http-only (profiling the app): no JDBC phase, no ratios
        boolean rowsMatch = verifyRows(jdbcUrl, List.of(http));
        OrderPathReport.printHttpOnly(options, http, httpCpu);
        return http.errorCount() == 0 && rowsMatch && http.orders() > 0 ? 0 : 1;
      }

      log("JDBC phase: %s", jdbcUrl);
      AtomicLong ids = new AtomicLong();
      log("JDBC phase: %d s warm-up", warmup.toSeconds());
      Result jdbc =
          ClosedLoop.run(
              "jdbc",
              concurrency,
              i -> {
                try {
                  return new JdbcOrders(
                      jdbcUrl, jdbcUsers.get(i), "k-" + runId + "-" + i + "-", ids);
                } catch (SQLException e) {
                  throw new IllegalStateException("cannot connect to vtgate: " + e.getMessage(), e);
                }
              },
              warmup,
              measure,
              () -> {
                cpuFrom.set(CpuUsage.snapshot(-1));
                log("JDBC phase: measuring %d s", measure.toSeconds());
              },
              () -> cpuTo.set(CpuUsage.snapshot(-1)));
      String jdbcCpu = cpuTo.get().since(cpuFrom.get());
      log("JDBC phase done: %d orders, %d errors", jdbc.orders(), jdbc.errorCount());

      boolean rowsMatch = verifyRows(jdbcUrl, List.of(http, jdbc));
      OrderPathReport.print(options, http, jdbc, httpCpu, jdbcCpu);
      boolean clean = http.errorCount() == 0 && jdbc.errorCount() == 0 && rowsMatch;
      if (!clean) {
        System.out.println(
            "order-path: WARNING: errors or missing rows (above); do not publish these figures");
      }
      return clean && http.orders() > 0 && jdbc.orders() > 0 ? 0 : 1;
    } finally {
      long step = System.nanoTime();
      closeQuietly(app);
      closeQuietly(cache);
      closeQuietly(vitess);
      if (vitess != null && !options.keepData()) {
        // ~0.8 GB a run (4 mysqld, etcd); the logs stay
        deleteQuietly(vitess.runDirectory().resolve("vtdataroot"));
        deleteQuietly(vitess.runDirectory().resolve("etcd"));
      }
      log("everything stopped in %.1fs", seconds(step));
    }
  }

  /**
   * {@code concurrency} user ids starting with {@code prefix}, alternately on shard {@code -80} and
   * {@code 80-}: vtgate tells each candidate's shard through the vindex ({@code select shard from
   * user_hash where id = ?}).
   */
  private List<String> balancedUsers(String jdbcUrl, String prefix) {
    List<String> users = new ArrayList<>();
    Map<String, Integer> perShard = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        PreparedStatement shardOf =
            c.prepareStatement("select shard from user_hash where id = ?")) {
      int candidate = 0;
      for (int i = 0; i < options.concurrency(); i++) {
        String wanted = SHARDS.get(i % SHARDS.size());
        for (int tries = 0; ; tries++) {
          if (tries == 1000) {
            throw new IllegalStateException("no user id on shard " + wanted + " in 1000 tries");
          }
          String user = prefix + candidate++;
          shardOf.setString(1, user);
          String shard;
          try (ResultSet rs = shardOf.executeQuery()) {
            shard = rs.next() ? rs.getString(1) : null;
          }
          if (wanted.equals(shard)) {
            users.add(user);
            perShard.merge(shard, 1, Integer::sum);
            break;
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot ask vtgate for shards: " + e.getMessage(), e);
    }
    log("%s*: %d users, per shard %s", prefix, users.size(), perShard);
    return users;
  }

  /** One order before the load, so a misconfiguration fails at once and with the app's answer. */
  private void smokeTest(HttpClient client, URI orders, String secret) {
    try {
      var failure =
          new HttpOrders(client, orders, "bench-smoke-" + runId, "smoke-" + runId + "-", secret)
              .order(0);
      if (failure != null) {
        throw new IllegalStateException(
            "POST /orders answered " + failure.label() + ": " + failure.detail());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("POST /orders failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    }
    log("smoke test: POST /orders -> 201");
  }

  /**
   * Every order a side was told was created (warm-up and measured) must be in the keyspace; a
   * benchmark that loses writes measures nothing.
   */
  private boolean verifyRows(String jdbcUrl, List<Result> sides) {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        PreparedStatement count =
            c.prepareStatement("select count(*) from orders where user_id like ?")) {
      boolean ok = true;
      for (Result side : sides) {
        count.setString(1, "bench-" + side.side() + "-" + runId + "-%");
        long rows;
        try (ResultSet rs = count.executeQuery()) {
          rs.next();
          rows = rs.getLong(1);
        }
        long told = side.warmupOrders() + side.orders();
        log(
            "%s: %d orders in the keyspace, %d acknowledged (warm-up + measured)%s",
            side.side(), rows, told, rows == told ? "" : " -- MISMATCH");
        ok &= rows == told;
      }
      return ok;
    } catch (SQLException e) {
      log("cannot count the rows: %s", e.getMessage());
      return false;
    }
  }

  /** The routing table file: cell-1 owns all 1024 slots and serves at the app's address. */
  private static Path writeRoutingTable(Path runDir, int appPort) {
    RoutingTable table =
        RoutingTable.of(
            1,
            Planner.assign(1024, List.of(new Planner.CellWeight(CELL, 1))),
            Map.of(CELL, CellRoute.serving("zone-a", "127.0.0.1:" + appPort)));
    Path file = runDir.resolve("routing-table.json");
    try {
      Files.writeString(file, table.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static void closeQuietly(AutoCloseable resource) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      log("closing %s failed: %s", resource, e);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      log("could not delete %s: %s", dir, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** {@code bench/target/order-path/<date-time>/}: this run's logs and data. */
  private static Path newRunDirectory() {
    Path dir =
        Path.of("bench/target/order-path")
            .toAbsolutePath()
            .resolve(
                java.time.LocalDateTime.now()
                    .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    try {
      return java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
  }

  static void log(String format, Object... args) {
    System.out.println(
        LocalTime.now().format(TIME) + " order-path: " + String.format(Locale.ROOT, format, args));
  }
}

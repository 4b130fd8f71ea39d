package io.unitcell.bench.orderpath;

import io.unitcell.bench.orderpath.ClosedLoop.Result;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.infra.process.ManagedProcess;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
  private static final String JDBC_PROPERTY_PREFIX =
      "quarkus.datasource.jdbc.additional-jdbc-properties.";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

  private final Path repo;
  private final Path appJar;
  private final int concurrency;
  private final Duration warmup;
  private final Duration measure;
  private final boolean keepData;
  private final boolean jfr;
  private final boolean httpOnly;
  private final Map<String, String> appEnv;
  private final String runId = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

  private OrderPathBenchmark(
      Path repo,
      Path appJar,
      int concurrency,
      Duration warmup,
      Duration measure,
      boolean keepData,
      boolean jfr,
      boolean httpOnly,
      Map<String, String> appEnv) {
    this.repo = repo;
    this.appJar = appJar;
    this.concurrency = concurrency;
    this.warmup = warmup;
    this.measure = measure;
    this.keepData = keepData;
    this.jfr = jfr;
    this.httpOnly = httpOnly;
    this.appEnv = appEnv;
  }

  public static void main(String[] args) {
    Path repo = Path.of(".");
    Path appJar = null;
    int seconds = 30;
    int concurrency = 16;
    // on 2 cores the app's JIT needs ~60 s of load before its throughput levels off (with 10 s
    // it was still climbing from 116 to 186 orders/s through the measured 30 s); vtgate, MySQL and
    // the JDBC side level off after ~20 s
    int warmupSeconds = 300;
    boolean keepData = false;
    boolean jfr = false;
    boolean httpOnly = false;
    Map<String, String> appEnv = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--keep-data")) {
        keepData = true;
        continue;
      }
      if (arg.equals("--jfr")) {
        jfr = true;
        continue;
      }
      if (arg.equals("--http-only")) {
        httpOnly = true;
        continue;
      }
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (arg) {
        case "--repo" -> repo = Path.of(require(arg, value));
        case "--app-jar" -> appJar = Path.of(require(arg, value));
        case "--seconds" -> seconds = positive(arg, value);
        case "--concurrency" -> concurrency = positive(arg, value);
        case "--warmup" -> warmupSeconds = positive(arg, value);
        case "--app-env" -> {
          String assignment = require(arg, value);
          int eq = assignment.indexOf('=');
          if (eq < 1) {
            usage("--app-env needs NAME=VALUE, got " + assignment);
          }
          appEnv.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        default -> usage("unknown argument " + arg);
      }
      i++;
    }
    repo = repo.toAbsolutePath().normalize();
    if (appJar == null) {
      appJar = repo.resolve("cell-app/target/quarkus-app/quarkus-run.jar");
    }
    appJar = appJar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(appJar)) {
      usage("no cell-app jar at " + appJar + "; build it with mvn -pl cell-app -am package");
    }
    int exit;
    try {
      exit =
          new OrderPathBenchmark(
                  repo,
                  appJar,
                  concurrency,
                  Duration.ofSeconds(warmupSeconds),
                  Duration.ofSeconds(seconds),
                  keepData,
                  jfr,
                  httpOnly,
                  appEnv)
              .run();
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
    Path db = repo.resolve("cell-app/src/main/resources/db");
    String schema = read(db.resolve("schema.sql"));
    String vschema = read(db.resolve("vschema.json"));
    Map<String, String> jdbcProperties =
        appJdbcProperties(repo.resolve("cell-app/src/main/resources/application.properties"));
    Path runDir = newRunDirectory();
    String secret = UUID.randomUUID().toString();
    log(
        "run %s: %d virtual users per side, %d s warm-up + %d s measured per side, %s; %d cores,"
            + " Java %s; logs in %s",
        runId,
        concurrency,
        warmup.toSeconds(),
        measure.toSeconds(),
        httpOnly ? "HTTP phase only" : "HTTP phase first, then JDBC",
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
      String jdbcUrl = rawJdbcUrl(appDbUrl, jdbcProperties);

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
      if (!appEnv.isEmpty()) {
        log("cell-app environment added with --app-env: %s", appEnv);
        env.putAll(appEnv);
      }
      step = System.nanoTime();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>();
      command.add(java);
      command.add("-Xmx512m"); // as CellAppProcess runs the packaged app
      // GC pauses of the app, to read next to its latency outliers
      command.add("-Xlog:gc:file=" + runDir.resolve("cell-app-gc.log") + ":uptime,level");
      if (jfr) {
        command.addAll(AppProfile.jvmOptions(runDir));
      }
      command.addAll(List.of("-jar", appJar.toString()));
      app = ManagedProcess.start("cell-app", command, runDir, env, runDir.resolve("cell-app-work"));
      URI base = URI.create("http://127.0.0.1:" + appPort);
      HttpClient client = HttpOrders.client();
      app.awaitReady(
          APP_READY_TIMEOUT, () -> status(client, base.resolve("/q/health/ready")) == 200);
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
      AppProfile profile = jfr ? new AppProfile(appPid, base, runDir) : null;
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
      if (httpOnly) {
        // --http-only (profiling the app): no JDBC phase, no ratios
        boolean rowsMatch = verifyRows(jdbcUrl, List.of(http));
        System.out.printf(
            Locale.ROOT,
            "%n== http only: %d virtual users, %d s warm-up + %d s measured: %d orders, %d errors,"
                + " %.1f orders/s, p50 %.2f ms, p99 %.2f ms%n",
            concurrency,
            warmup.toSeconds(),
            measure.toSeconds(),
            http.orders(),
            http.errorCount(),
            http.throughput(),
            http.percentileMillis(50),
            http.percentileMillis(99));
        System.out.println("cpu core-seconds, measured http phase: " + httpCpu);
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
      report(http, jdbc, httpCpu, jdbcCpu);
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
      if (vitess != null && !keepData) {
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
      for (int i = 0; i < concurrency; i++) {
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

  private void report(Result http, Result jdbc, String httpCpu, String jdbcCpu) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "== order creation: %d virtual users per side, %d s warm-up + %d s measured per side;"
            + " HTTP phase first, then JDBC%n",
        concurrency,
        warmup.toSeconds(),
        measure.toSeconds());
    System.out.println(
        "http = POST /orders (java.net.http, HTTP/1.1 keep-alive) -> cell-app -> vtgate;"
            + " jdbc = 2 inserts + commit per order, one Connector/J connection per thread ->"
            + " same vtgate");
    System.out.printf(
        Locale.ROOT,
        "%-5s %9s %7s %9s %9s %9s %9s %9s %9s%n",
        "side",
        "requests",
        "errors",
        "orders/s",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "mean ms");
    for (Result r : List.of(http, jdbc)) {
      System.out.printf(
          Locale.ROOT,
          "%-5s %9d %7d %9.1f %9.2f %9.2f %9.2f %9.2f %9.2f%n",
          r.side(),
          r.requests(),
          r.errorCount(),
          r.throughput(),
          r.percentileMillis(50),
          r.percentileMillis(99),
          r.percentileMillis(99.9),
          r.maxMillis(),
          r.meanMillis());
    }
    for (Result r : List.of(http, jdbc)) {
      if (r.errorCount() > 0 || r.warmupErrors() > 0) {
        System.out.printf(
            "%s errors: measured %s, warm-up %d; e.g. %s%n",
            r.side(),
            r.errors(),
            r.warmupErrors(),
            r.examples().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(" | ")));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "measured windows: http %.1f s, jdbc %.1f s; warm-up orders: http %d, jdbc %d%n",
        http.window().toMillis() / 1000.0,
        jdbc.window().toMillis() / 1000.0,
        http.warmupOrders(),
        jdbc.warmupOrders());
    System.out.println("cpu core-seconds, measured http phase: " + httpCpu);
    System.out.println("cpu core-seconds, measured jdbc phase: " + jdbcCpu);
    System.out.printf(
        Locale.ROOT,
        "http/jdbc throughput ratio %s%n",
        ratio(http.throughput(), jdbc.throughput()));
    System.out.printf(
        Locale.ROOT,
        "http/jdbc p50 ratio %s%n",
        ratio(http.percentileMillis(50), jdbc.percentileMillis(50)));
    System.out.printf(
        Locale.ROOT,
        "http/jdbc p99 ratio %s%n",
        ratio(http.percentileMillis(99), jdbc.percentileMillis(99)));
  }

  private static String ratio(double a, double b) {
    return b > 0 && !Double.isNaN(a) ? String.format(Locale.ROOT, "%.2f", a / b) : "n/a";
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

  /**
   * The Connector/J properties the app sets ({@code additional-jdbc-properties}, user), read from
   * its application.properties so the raw side connects exactly as the app does.
   */
  static Map<String, String> appJdbcProperties(Path applicationProperties) {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(applicationProperties, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + applicationProperties, e);
    }
    Map<String, String> jdbc = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(properties.stringPropertyNames());
    names.sort(null);
    for (String name : names) {
      if (name.startsWith(JDBC_PROPERTY_PREFIX)) {
        jdbc.put(
            name.substring(JDBC_PROPERTY_PREFIX.length()), resolve(properties.getProperty(name)));
      }
    }
    String user = properties.getProperty("quarkus.datasource.username");
    if (user != null) {
      jdbc.put("user", resolve(user));
    }
    if (jdbc.isEmpty()) {
      throw new IllegalStateException(
          "no " + JDBC_PROPERTY_PREFIX + "* in " + applicationProperties);
    }
    return jdbc;
  }

  /** {@code ${ENV_VAR:default}} as the app resolves it in this environment. */
  private static String resolve(String value) {
    Matcher m = PLACEHOLDER.matcher(value.trim());
    if (!m.matches()) {
      return value.trim();
    }
    String fromEnv = System.getenv(m.group(1));
    return fromEnv != null ? fromEnv : m.group(2) == null ? "" : m.group(2);
  }

  private static String rawJdbcUrl(String base, Map<String, String> properties) {
    return base
        + "?"
        + properties.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("&"));
  }

  private static int status(HttpClient client, URI uri) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
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

  private static String require(String arg, String value) {
    if (value == null) {
      usage(arg + " needs a value");
    }
    return value;
  }

  private static int positive(String arg, String value) {
    try {
      int n = Integer.parseInt(require(arg, value));
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    usage(arg + " must be a positive integer, got " + value);
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("order-path: " + problem);
    System.err.println(
        "usage: OrderPathBenchmark --repo DIR [--seconds N] [--concurrency C] [--warmup N]"
            + " [--app-jar FILE] [--keep-data] [--jfr] [--http-only] [--app-env NAME=VALUE]...");
    System.exit(2);
  }
}

package io.unitcell.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.unitcell.local.Manifests.Cell;
import io.unitcell.local.Manifests.Loaded;
import io.unitcell.testbed.CellAppProcess;
import io.unitcell.testbed.ManagedProcess;
import io.unitcell.testbed.infinispan.InfinispanTestbed;
import io.unitcell.testbed.vitess.VitessTestbed;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.PlannedCell;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.Switchover;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local runtime's long-lived process, started detached by {@code ./unitcell up}: it starts
 * Vitess (a keyspace per cell, primary in the cell's primary zone, replica in its standby zone), an
 * Infinispan server, per cell one active instance in its primary zone and one warm instance in its
 * standby zone, and the router; publishes the routing table (same planner as the operator) to a
 * file; and then serves a small control API on loopback ({@code GET /status}, {@code POST
 * /instances/<name>/kill}, {@code POST /down}) until told to stop. Every child process is stopped
 * with it.
 */
public final class Supervisor {

  static final String READY = "unitcell: READY";

  private final LocalState state;
  private final Loaded manifest;
  private final int routerPort;
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  private final CountDownLatch down = new CountDownLatch(1);
  private final HttpClient http = HttpClient.newHttpClient();
  private VitessTestbed vitess;

  /** Each cell's own Infinispan server (cells share nothing but the router). */
  private final Map<String, InfinispanTestbed> caches = new ConcurrentHashMap<>();

  /** The latest switchover of each cell (running or ended). */
  private final Map<String, LocalSwitchover> switchovers = new ConcurrentHashMap<>();

  private ManagedProcess router;
  private int routerManagementPort;
  private volatile RoutingTable table;
  private HttpServer control;

  /** The router's response counters at one moment: cell → {all responses, 5xx}. */
  record Sample(long nanos, Map<String, long[]> byCell) {}

  private final java.util.Deque<Sample> samples =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  private static final Pattern RESPONSES =
      Pattern.compile("^unitcell_router_responses_total\\{(.*)\\}\\s+([0-9.eE+]+)$");
  private static final Pattern CELL_LABEL = Pattern.compile("cell=\"([^\"]*)\"");
  private static final Pattern CODE_LABEL = Pattern.compile("code=\"([^\"]*)\"");

  /** One cell-app process: which cell, which zone, active (in the table) or warm standby. */
  record Instance(
      String name, String cell, String zone, boolean active, int port, CellAppProcess app) {}

  private Supervisor(LocalState state, Loaded manifest, int routerPort) {
    this.state = state;
    this.manifest = manifest;
    this.routerPort = routerPort;
  }

  public static void main(String[] args) throws Exception {
    LocalState state = new LocalState(Path.of(args[0]));
    Loaded manifest = Manifests.read(Path.of(args[1]));
    int routerPort = Integer.parseInt(args[2]);
    System.setProperty("testbed.dir", state.testbedDir().toString());
    Supervisor supervisor = new Supervisor(state, manifest, routerPort);
    Runtime.getRuntime().addShutdownHook(new Thread(supervisor::stop, "unitcell-down"));
    try {
      supervisor.start();
    } catch (Exception e) {
      say("FAILED: " + e);
      e.printStackTrace(System.out);
      supervisor.stop();
      System.exit(1);
    }
    supervisor.down.await();
    supervisor.stop();
    System.exit(0);
  }

  private void start() throws Exception {
    long started = System.nanoTime();
    Files.writeString(state.pidFile(), Long.toString(ProcessHandle.current().pid()));
    say(
        "topology "
            + manifest.topology().name()
            + ": "
            + manifest.cells().size()
            + " cells over "
            + manifest.topology().zones().stream().map(Manifests.Zone::name).toList()
            + ", "
            + manifest.topology().slots()
            + " slots");

    Path vitessDir = state.testbedDir().resolve("vitess");
    RoutingTable kept = VitessTestbed.holdsCluster(vitessDir) ? keptTable() : null;
    long step = System.nanoTime();
    say(
        kept != null
            ? "starting Vitess + MySQL again on the kept data (" + vitessDir + ")"
            : "starting Vitess + MySQL: a keyspace per cell, primary and replica in its two zones");
    VitessTestbed.Builder builder =
        VitessTestbed.builder()
            .directory(vitessDir)
            .zones(manifest.topology().zones().stream().map(Manifests.Zone::vitessCell).toList())
            .shards(List.of("-"))
            .schema(
                Files.readString(state.repo().resolve("cell-app/src/main/resources/db/schema.sql")))
            .vschema(
                Files.readString(
                    state.repo().resolve("cell-app/src/main/resources/db/vschema.json")));
    for (Cell cell : manifest.cells()) {
      builder.addKeyspace(
          cell.keyspace(), manifest.topology().zone(cell.primaryZone()).vitessCell());
    }
    vitess = builder.start();
    say(
        String.format(
            "Vitess ready (%.0f s): vtgate on 127.0.0.1:%d", since(step), vitess.vtgatePort()));

    step = System.nanoTime();
    for (Cell cell : manifest.cells()) {
      caches.put(
          cell.name(),
          InfinispanTestbed.start(state.testbedDir().resolve("infinispan-" + cell.name())));
    }
    say(
        String.format(
            "Infinispan ready (%.0f s): a server per cell, %s",
            since(step),
            new TreeMap<>(caches)
                .entrySet().stream().map(e -> e.getKey() + " " + e.getValue().hosts()).toList()));

    // ports first: the table names the active instances, and every instance reads the table;
    // a cell serves from the zone of its database's primary (moved by switchovers before a down)
    List<Instance> planned = new ArrayList<>();
    for (Cell cell : manifest.cells()) {
      String serving = kept != null ? servingZone(cell) : cell.primaryZone();
      for (String zone : List.of(cell.primaryZone(), cell.standbyZone())) {
        planned.add(
            new Instance(
                cell.name() + "-" + zone,
                cell.name(),
                zone,
                zone.equals(serving),
                ManagedProcess.freePort(),
                null));
      }
    }
    table = Planner.nextTable(kept, manifest.topology().slots(), plannedCells(planned));
    publish(table);
    say(
        "routing table epoch "
            + table.epoch()
            + (kept != null ? " (the kept slots, cells in their primaries' zones)" : "")
            + " published to "
            + state.tableFile());

    step = System.nanoTime();
    say("starting " + planned.size() + " cell-app instances (active + warm standby per cell)");
    ExecutorService pool = Executors.newFixedThreadPool(planned.size());
    try {
      List<Future<Instance>> starting = new ArrayList<>();
      for (Instance instance : planned) {
        starting.add(pool.submit(() -> startInstance(instance)));
      }
      for (Future<Instance> future : starting) {
        Instance instance = future.get();
        instances.put(instance.name(), instance);
        say(
            "  "
                + instance.name()
                + (instance.active() ? " active" : " standby")
                + " on 127.0.0.1:"
                + instance.port());
      }
    } finally {
      pool.shutdownNow();
    }
    say(String.format("cell apps ready (%.0f s)", since(step)));

    step = System.nanoTime();
    startRouter();
    say(String.format("router ready (%.0f s) on http://127.0.0.1:%d", since(step), routerPort));

    control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    if (kept == null) {
      Files.deleteIfExists(state.flashSalesFile()); // a fresh platform: no sale opened yet
    }
    control.createContext("/flash-sales/", this::onFlashSale);
    control.createContext("/status", exchange -> reply(exchange, 200, status()));
    control.createContext("/down", this::onDown);
    control.createContext("/instances/", this::onInstance);
    control.createContext("/cells/", this::onCell);
    control.start();
    Files.writeString(state.controlPortFile(), Integer.toString(control.getAddress().getPort()));
    Files.writeString(state.routerPortFile(), Integer.toString(routerPort));
    Files.writeString(state.vtgateUrlFile(), vitess.jdbcUrl("{keyspace}"));
    Thread watcher = new Thread(this::watch, "unitcell-watcher");
    watcher.setDaemon(true);
    watcher.start();
    Thread sampler = new Thread(this::sampleRouter, "unitcell-router-sampler");
    sampler.setDaemon(true);
    sampler.start();
    say(String.format("%s in %.0f s", READY, since(started)));
  }

  /**
   * The routing table the platform had when it went down, which its kept data belongs to: every
   * user's orders are in the keyspace of the cell that owned the user's slot. Refused when this
   * manifest would route users elsewhere (other cells, slots or weights).
   */
  private RoutingTable keptTable() throws IOException {
    String wipe =
        "; ./unitcell down --wipe deletes the kept data, or up with the manifest it came from";
    if (!Files.exists(state.tableFile())) {
      throw new IllegalStateException(
          "data is kept in " + state.testbedDir() + " but not its routing table" + wipe);
    }
    RoutingTable kept = RoutingTable.fromJson(Files.readAllBytes(state.tableFile()));
    Set<String> cells = new TreeSet<>(manifest.cells().stream().map(Cell::name).toList());
    if (!cells.equals(new TreeSet<>(kept.cells().keySet()))) {
      throw new IllegalStateException(
          "the kept data is of cells "
              + new TreeSet<>(kept.cells().keySet())
              + ", this manifest has "
              + cells
              + wipe);
    }
    List<PlannedCell> sameRoutes =
        manifest.cells().stream()
            .map(c -> new PlannedCell(c.name(), c.weight(), kept.route(c.name())))
            .toList();
    RoutingTable replanned;
    try {
      replanned = Planner.nextTable(kept, manifest.topology().slots(), sameRoutes);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage() + wipe);
    }
    int moved = Planner.movedSlots(kept.ownerBySlot(), replanned.ownerBySlot());
    if (moved > 0) {
      throw new IllegalStateException(
          "this manifest's weights would move "
              + moved
              + " slots away from the cells whose databases hold their users' orders"
              + wipe);
    }
    say(
        "resuming the platform kept in "
            + state.testbedDir()
            + " (table epoch "
            + kept.epoch()
            + ")");
    return kept;
  }

  /** The manifest zone of the cell's database primary (in the shard record). */
  private String servingZone(Cell cell) {
    String vitessCell = vitess.primaryOf(cell.keyspace(), "-").zone();
    return new SwitchoverRuntime().zoneOfVitessCell(vitessCell);
  }

  /**
   * What a Deployment and a router's health checks would do: an instance that died is started again
   * on its port; while a cell has no live active instance, its warm standby takes the cell's
   * traffic (a new table epoch), and the restarted instance takes it back once ready.
   */
  private void watch() {
    Set<String> restarting = ConcurrentHashMap.newKeySet();
    while (down.getCount() > 0) {
      try {
        Thread.sleep(500);
        for (Instance instance : List.copyOf(instances.values())) {
          if (instance.app().isAlive() || !restarting.add(instance.name())) {
            continue;
          }
          say("instance " + instance.name() + " is down; starting it again");
          routeCell(instance.cell());
          Thread restart =
              new Thread(
                  () -> {
                    try {
                      Instance again = startInstance(instance);
                      // a switchover may have made it active or standby in the meantime
                      instances.compute(
                          again.name(),
                          (name, now) ->
                              now == null
                                  ? again
                                  : new Instance(
                                      name,
                                      again.cell(),
                                      again.zone(),
                                      now.active(),
                                      again.port(),
                                      again.app()));
                      say("instance " + again.name() + " is back on port " + again.port());
                      routeCell(again.cell());
                    } catch (RuntimeException | IOException e) {
                      say("instance " + instance.name() + " did not come back: " + e.getMessage());
                    } finally {
                      restarting.remove(instance.name());
                    }
                  },
                  "restart-" + instance.name());
          restart.setDaemon(true);
          restart.start();
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        say("watcher: " + e);
      }
    }
  }

  /** Every 5 s, the router's response counters by cell; the last ~70 s are kept for status. */
  private void sampleRouter() {
    while (down.getCount() > 0) {
      try {
        String metrics =
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + routerManagementPort + "/q/metrics"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, long[]> byCell = new TreeMap<>();
        metrics
            .lines()
            .map(RESPONSES::matcher)
            .filter(Matcher::matches)
            .forEach(
                m -> {
                  Matcher cell = CELL_LABEL.matcher(m.group(1));
                  Matcher code = CODE_LABEL.matcher(m.group(1));
                  if (cell.find() && code.find()) {
                    long count = (long) Double.parseDouble(m.group(2));
                    long[] totals = byCell.computeIfAbsent(cell.group(1), c -> new long[2]);
                    totals[0] += count;
                    if (code.group(1).startsWith("5")) {
                      totals[1] += count;
                    }
                  }
                });
        samples.addLast(new Sample(System.nanoTime(), byCell));
        while (samples.size() > 15) {
          samples.pollFirst();
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // the router is restarting or busy: no sample this time
      }
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** 5xx answers of the router for {@code cell} over about the last minute, as text. */
  private String recentErrors(String cell) {
    Sample last = samples.peekLast();
    if (last == null) {
      return "-";
    }
    Sample first =
        samples.stream()
            .filter(s -> last.nanos() - s.nanos() <= 61_000_000_000L)
            .findFirst()
            .orElse(last);
    long[] now = last.byCell().getOrDefault(cell, new long[2]);
    long[] then = first.byCell().getOrDefault(cell, new long[2]);
    long requests = now[0] - then[0];
    long errors = now[1] - then[1];
    return requests == 0
        ? "0 req"
        : String.format("%.1f%% of %d", 100.0 * errors / requests, requests);
  }

  /** Points the cell's route at its live active instances, else at its live standby ones. */
  private synchronized void routeCell(String cell) throws IOException {
    if (switching(cell)) {
      return; // the switchover owns the cell's route until it ends
    }
    List<Instance> live =
        instances.values().stream()
            .filter(i -> i.cell().equals(cell) && i.app().isAlive())
            .toList();
    List<String> active =
        live.stream().filter(Instance::active).map(i -> "127.0.0.1:" + i.port()).sorted().toList();
    List<String> endpoints =
        !active.isEmpty()
            ? active
            : live.stream().map(i -> "127.0.0.1:" + i.port()).sorted().toList();
    if (endpoints.isEmpty() || endpoints.equals(table.route(cell).endpoints())) {
      return;
    }
    table = table.nextWithRoute(cell, r -> r.inZone(r.zone(), endpoints));
    publish(table);
    say(
        "routing table epoch "
            + table.epoch()
            + ": "
            + cell
            + " served by "
            + (active.isEmpty() ? "its warm standby " : "")
            + endpoints);
  }

  private boolean switching(String cell) {
    LocalSwitchover running = switchovers.get(cell);
    return running != null && running.outcome() == null;
  }

  /**
   * {@code POST /cells/<cell>/switchover[?to=ZONE]} starts a planned switchover of the cell to ZONE
   * (default: the zone of its warm standby); {@code GET /cells/<cell>/switchover} answers its phase
   * and progress lines.
   */
  private void onCell(HttpExchange exchange) throws IOException {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    Cell cell =
        parts.length == 4 && "switchover".equals(parts[3])
            ? manifest.cells().stream()
                .filter(c -> c.name().equals(parts[2]))
                .findFirst()
                .orElse(null)
            : null;
    if (cell == null) {
      reply(
          exchange,
          404,
          "POST or GET /cells/<cell>/switchover; cells: "
              + manifest.cells().stream().map(Cell::name).toList()
              + "\n");
      return;
    }
    if ("GET".equals(exchange.getRequestMethod())) {
      LocalSwitchover latest = switchovers.get(cell.name());
      if (latest == null) {
        reply(exchange, 404, "no switchover of " + cell.name() + " yet\n");
      } else {
        reply(exchange, 200, "phase " + latest.phase() + "\n" + latest.progress());
      }
      return;
    }
    String query = exchange.getRequestURI().getQuery();
    String to = query != null && query.startsWith("to=") ? query.substring(3) : null;
    try {
      LocalSwitchover started = switchover(cell, to);
      reply(exchange, 202, started.progress());
    } catch (IllegalArgumentException e) {
      reply(exchange, 400, e.getMessage() + "\n");
    } catch (IllegalStateException e) {
      reply(exchange, 409, e.getMessage() + "\n");
    } catch (Exception e) {
      reply(exchange, 500, "switchover not started: " + e + "\n");
    }
  }

  /** Fences the cell and carries on in the background; throws when it cannot start. */
  private LocalSwitchover switchover(Cell cell, String to) throws Exception {
    String from = table.route(cell.name()).zone();
    String target =
        to != null ? to : from.equals(cell.primaryZone()) ? cell.standbyZone() : cell.primaryZone();
    if (manifest.topology().zones().stream().noneMatch(z -> z.name().equals(target))) {
      throw new IllegalArgumentException(
          "no zone "
              + target
              + "; zones: "
              + manifest.topology().zones().stream().map(Manifests.Zone::name).toList());
    }
    List<String> endpoints =
        instances.values().stream()
            .filter(i -> i.cell().equals(cell.name()) && i.zone().equals(target))
            .filter(i -> i.app().isAlive())
            .map(i -> "127.0.0.1:" + i.port())
            .sorted()
            .toList();
    LocalSwitchover switchover =
        new LocalSwitchover(
            new Switchover.Request(
                cell.name(),
                Switchover.Kind.PLANNED,
                target,
                Set.of(cell.primaryZone(), cell.standbyZone()),
                endpoints,
                Map.of(),
                null),
            cell.keyspace(),
            LocalSwitchover.vitess(vitess, cell.keyspace(), new SwitchoverRuntime()),
            new SwitchoverRuntime(),
            http,
            state.routerSecret());
    synchronized (this) {
      if (switching(cell.name())) {
        throw new IllegalStateException("a switchover of " + cell.name() + " is under way");
      }
      switchover.begin();
      switchovers.put(cell.name(), switchover);
    }
    Thread thread = new Thread(switchover::run, "switchover-" + cell.name());
    thread.setDaemon(true);
    thread.start();
    return switchover;
  }

  /** What a switchover may do to this runtime. */
  private final class SwitchoverRuntime implements LocalSwitchover.Runtime {
    @Override
    public Switchover.Step step(Function<RoutingTable, Switchover.Step> next) throws Exception {
      synchronized (Supervisor.this) {
        Switchover.Step step = next.apply(table);
        if (step.table().isPresent()) {
          table = step.table().get();
          publish(table);
        }
        return step;
      }
    }

    @Override
    public Map<String, URI> participants(String cell) {
      Map<String, URI> participants = new TreeMap<>();
      participants.put(
          "router", URI.create("http://127.0.0.1:" + routerManagementPort + "/admin/table"));
      instances.values().stream()
          .filter(i -> i.cell().equals(cell))
          .forEach(
              i ->
                  participants.put(
                      i.name(), URI.create("http://127.0.0.1:" + i.port() + "/admin/table")));
      return participants;
    }

    @Override
    public String zoneOfVitessCell(String vitessCell) {
      return manifest.topology().zones().stream()
          .filter(z -> z.vitessCell().equals(vitessCell))
          .map(Manifests.Zone::name)
          .findFirst()
          .orElse(vitessCell);
    }

    @Override
    public void ended(String cell, Switchover.Outcome outcome) {
      // the instances in the zone the cell now serves from are its active ones
      for (Instance i : List.copyOf(instances.values())) {
        if (i.cell().equals(cell)) {
          boolean active = i.zone().equals(outcome.activeZone());
          instances.put(
              i.name(), new Instance(i.name(), i.cell(), i.zone(), active, i.port(), i.app()));
        }
      }
    }
  }

  private Instance startInstance(Instance instance) {
    Map<String, String> env = new TreeMap<>();
    env.put("UNITCELL_CELL", instance.cell());
    env.put("UNITCELL_ROUTING_TABLE", state.tableFile().toString());
    env.put("UNITCELL_DB_URL", vitess.jdbcUrl(keyspaceOf(instance.cell())));
    env.put("UNITCELL_CACHE_HOSTS", caches.get(instance.cell()).hosts());
    env.put("UNITCELL_ROUTER_SECRET", state.routerSecret());
    // eight JVMs share a laptop's cores: the quick JIT tier only and one GC thread each, so warming
    // up does not starve the databases (the router keeps the full JIT: it is the hot path)
    env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1");
    CellAppProcess app =
        CellAppProcess.start(
            instance.name(),
            state.repo().resolve("cell-app/target/quarkus-app/quarkus-run.jar"),
            env,
            state.testbedDir().resolve("cells"),
            instance.port());
    return new Instance(
        instance.name(), instance.cell(), instance.zone(), instance.active(), instance.port(), app);
  }

  private void startRouter() {
    routerManagementPort = ManagedProcess.freePort();
    Map<String, String> env = new TreeMap<>();
    env.put("UNITCELL_ROUTING_TABLE", state.tableFile().toString());
    env.put("UNITCELL_ROUTER_PORT", Integer.toString(routerPort));
    env.put("QUARKUS_HTTP_PORT", Integer.toString(routerManagementPort));
    env.put("UNITCELL_ROUTER_AUTH", "jwt");
    env.put("UNITCELL_ROUTER_JWT_HS256_SECRET", state.jwtSecret());
    env.put("UNITCELL_ROUTER_SECRET", state.routerSecret());
    Path jar = state.repo().resolve("router/target/quarkus-app/quarkus-run.jar");
    router =
        ManagedProcess.start(
            "router",
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString()),
            state.testbedDir(),
            env,
            null);
    router.awaitReady(
        Duration.ofSeconds(90), () -> httpStatus(routerManagementPort, "/q/health/ready") == 200);
  }

  private List<PlannedCell> plannedCells(List<Instance> planned) {
    List<PlannedCell> cells = new ArrayList<>();
    for (Cell cell : manifest.cells()) {
      List<Instance> active =
          planned.stream().filter(i -> i.cell().equals(cell.name()) && i.active()).toList();
      cells.add(
          new PlannedCell(
              cell.name(),
              cell.weight(),
              new CellRoute(
                  active.get(0).zone(),
                  active.stream().map(i -> "127.0.0.1:" + i.port()).toList(),
                  CellState.SERVING)));
    }
    return cells;
  }

  private String keyspaceOf(String cell) {
    return manifest.cells().stream()
        .filter(c -> c.name().equals(cell))
        .findFirst()
        .orElseThrow()
        .keyspace();
  }

  /** Written to a temporary file and moved: readers never see half a table. */
  private void publish(RoutingTable next) throws IOException {
    Path temporary = state.tableFile().resolveSibling("routing-table.json.tmp");
    Files.writeString(temporary, next.toJson());
    Files.move(
        temporary,
        state.tableFile(),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private String status() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "topology %s: epoch %d, %d slots, router http://127.0.0.1:%d (%s)%n",
            manifest.topology().name(),
            table.epoch(),
            table.slotCount(),
            routerPort,
            router != null && router.isAlive() ? "up" : "DOWN"));
    out.append(
        String.format(
            "%-8s %-8s %-8s %6s  %-16s %s%n",
            "CELL", "ZONE", "STATE", "SLOTS", "5XX (LAST MIN)", "INSTANCES"));
    for (Cell cell : manifest.cells()) {
      CellRoute route = table.route(cell.name());
      List<String> shown = new ArrayList<>();
      instances.values().stream()
          .filter(i -> i.cell().equals(cell.name()))
          .sorted((a, b) -> Boolean.compare(b.active(), a.active()))
          .forEach(
              i ->
                  shown.add(
                      i.zone()
                          + (i.active() ? "" : "(standby)")
                          + ":"
                          + i.port()
                          + " "
                          + health(i)));
      out.append(
          String.format(
              "%-8s %-8s %-8s %6d  %-16s %s%n",
              cell.name(),
              route.zone(),
              route.state(),
              table.slotCountOf(cell.name()),
              recentErrors(cell.name()),
              String.join(", ", shown)));
    }
    out.append(
        String.format(
            "vitess: vtgate 127.0.0.1:%d, keyspaces %s; infinispan %s%n",
            vitess.vtgatePort(),
            vitess.keyspaces(),
            new TreeMap<>(caches)
                .entrySet().stream()
                    .map(
                        e ->
                            e.getKey()
                                + " "
                                + e.getValue().hosts()
                                + (e.getValue().isRunning() ? "" : " DOWN"))
                    .toList()));
    new TreeMap<>(switchovers)
        .forEach(
            (cell, switchover) -> {
              List<String> lines = switchover.progress().lines().toList();
              out.append(lines.isEmpty() ? "switchover of " + cell : lines.get(lines.size() - 1))
                  .append('\n');
            });
    out.append("logs and data: ").append(state.testbedDir()).append('\n');
    return out.toString();
  }

  private String health(Instance instance) {
    try {
      return httpStatus(instance.port(), "/q/health/ready") == 200 ? "ready" : "NOT READY";
    } catch (Exception e) {
      return "DOWN";
    }
  }

  private void onDown(HttpExchange exchange) throws IOException {
    reply(exchange, 202, "stopping\n");
    down.countDown();
  }

  /** {@code POST /instances/<name>/kill}: SIGKILL one cell-app instance (chaos drills). */
  private void onInstance(HttpExchange exchange) throws IOException {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    if (parts.length != 4
        || !"kill".equals(parts[3])
        || !"POST".equals(exchange.getRequestMethod())) {
      reply(exchange, 404, "POST /instances/<name>/kill\n");
      return;
    }
    Instance instance = instances.get(parts[2]);
    if (instance == null) {
      reply(
          exchange,
          404,
          "no instance " + parts[2] + "; instances: " + new TreeMap<>(instances).keySet() + "\n");
      return;
    }
    instance.app().kill();
    say("instance " + instance.name() + " killed (SIGKILL)");
    reply(exchange, 200, "killed " + instance.name() + "\n");
  }

  /**
   * {@code POST /flash-sales/<sku>?stock=N}: opens (or resets) a flash sale of {@code sku} with N
   * units (default {@value FlashSales#DEFAULT_STOCK}) in every cell, through one live instance of
   * each (the stock lives in the cell's own Infinispan, shared by its instances; the router does
   * not forward the cells' {@code /admin} API). Answers a line per cell: {@code 200} when every
   * cell opened it, {@code 502} when one could not (the line says why), {@code 400} for a bad
   * request. What was opened is added to {@link LocalState#flashSalesFile()}.
   */
  private void onFlashSale(HttpExchange exchange) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      reply(exchange, 405, "POST /flash-sales/<sku>?stock=N\n");
      return;
    }
    FlashSales.Opening opening;
    try {
      opening =
          FlashSales.parse(
              exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException e) {
      reply(exchange, 400, "flash sale not opened: " + e.getMessage() + "\n");
      return;
    }
    StringBuilder answer = new StringBuilder();
    Map<String, Long> opened = new TreeMap<>();
    for (Cell cell : manifest.cells()) {
      answer.append(openFlashSale(cell.name(), opening, opened)).append('\n');
    }
    if (!opened.isEmpty()) {
      // read, add, write: the control server handles one request at a time (no executor set)
      FlashSales.Ledger.read(state.flashSalesFile())
          .plus(opening.sku(), opened)
          .write(state.flashSalesFile());
    }
    boolean all = opened.size() == manifest.cells().size();
    say(
        "flash sale "
            + opening.sku()
            + ": "
            + opening.stock()
            + " units per cell, opened in "
            + opened.keySet()
            + (all ? "" : " only"));
    reply(exchange, all ? 200 : 502, answer.toString());
  }

  /**
   * Opens the sale in {@code cell} through its live instances, the active one first; another
   * instance is tried only when one did not answer or answered 5xx (a 4xx would be the same
   * anywhere). Returns the line for the answer; {@code opened} gets the cell when it worked.
   */
  private String openFlashSale(String cell, FlashSales.Opening opening, Map<String, Long> opened) {
    List<Instance> live =
        instances.values().stream()
            .filter(i -> i.cell().equals(cell) && i.app().isAlive())
            .sorted((a, b) -> Boolean.compare(b.active(), a.active()))
            .toList();
    if (live.isEmpty()) {
      return cell + ": NOT opened: no live instance";
    }
    List<String> failures = new ArrayList<>();
    for (Instance instance : live) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + instance.port()
                                + "/admin/flash-sales/"
                                + opening.sku()))
                    .header("Content-Type", "application/json")
                    .header("X-Unitcell-Router-Secret", state.routerSecret())
                    .PUT(HttpRequest.BodyPublishers.ofString(opening.adminRequestBody()))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          opened.put(cell, opening.stock());
          return FlashSales.describeOpened(cell, instance.name(), opening, response.body());
        }
        failures.add(
            instance.name() + " answered " + response.statusCode() + " " + response.body().strip());
        if (response.statusCode() < 500) {
          break;
        }
      } catch (IOException e) {
        failures.add(instance.name() + " did not answer: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add("interrupted");
        break;
      }
    }
    return cell + ": NOT opened: " + String.join("; ", failures);
  }

  private synchronized void stop() {
    if (control != null) {
      control.stop(0);
      control = null;
    }
    List<AutoCloseable> closing = new ArrayList<>();
    if (router != null) {
      closing.add(router);
    }
    closing.addAll(instances.values().stream().map(Instance::app).toList());
    instances.clear();
    closing.addAll(caches.values());
    caches.clear();
    if (vitess != null) {
      closing.add(vitess);
    }
    router = null;
    vitess = null;
    down.countDown();
    if (!closing.isEmpty()) {
      say("stopping " + closing.size() + " components");
    }
    for (AutoCloseable component : closing) {
      try {
        component.close();
      } catch (Exception e) {
        say("while stopping: " + e);
      }
    }
    try {
      Files.deleteIfExists(state.controlPortFile());
      Files.deleteIfExists(state.pidFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int httpStatus(int port, String path) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static void reply(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static double since(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  static void say(String message) {
    System.out.println("[unitcell] " + message);
    System.out.flush();
  }
}

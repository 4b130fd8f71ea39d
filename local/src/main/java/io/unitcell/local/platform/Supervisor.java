package io.unitcell.local.platform;

import io.unitcell.infra.app.RouterProcess;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.infra.process.ManagedProcess;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.infra.vitess.VitessClusterBuilder;
import io.unitcell.local.control.ControlServer;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.manifest.Manifests.Cell;
import io.unitcell.local.state.LocalState;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.PlannedCell;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The local runtime's long-lived process, started detached by {@code ./unitcell up}: it starts
 * Vitess (a keyspace per cell, primary in the cell's primary zone, replica in its standby zone), an
 * Infinispan server per cell, per cell one active instance in its primary zone and one warm
 * instance in its standby zone, and the router; publishes the routing table (same planner as the
 * operator) to a file; and then serves the control API on loopback until told to stop. Every child
 * process is stopped with it. A platform kept by an earlier {@code down} starts again on its data.
 */
public final class Supervisor {

  /** Each cell's keyspace locally: two shards, split on the user id's hash. */
  static final List<String> SHARDS = List.of("-80", "80-");

  /** READY means the platform takes this many requests/s of the standard mix at once. */
  private static final int WARM_RPS = 100;

  private static final java.time.Duration WARM_MAX = java.time.Duration.ofSeconds(180);

  private final LocalState state;
  private final Manifests.Loaded manifest;
  private final int routerPort;
  private final CountDownLatch down = new CountDownLatch(1);
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, InfinispanServer> caches = new ConcurrentHashMap<>();
  private VitessCluster vitess;
  private Instances instances;
  private RouterProcess router;
  private ControlServer control;

  private Supervisor(LocalState state, Manifests.Loaded manifest, int routerPort) {
    this.state = state;
    this.manifest = manifest;
    this.routerPort = routerPort;
  }

  /** {@code Supervisor STATE_DIR MANIFEST ROUTER_PORT}. */
  public static void main(String[] args) throws Exception {
    Supervisor supervisor =
        new Supervisor(
            new LocalState(Path.of(args[0])),
            Manifests.read(Path.of(args[1])),
            Integer.parseInt(args[2]));
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

    Path vitessDir = state.platformDir().resolve("vitess");
    RoutingTable kept = null;
    if (VitessCluster.holdsCluster(vitessDir)) {
      kept = KeptPlatform.table(state, manifest);
      say(
          "resuming the platform kept in "
              + state.platformDir()
              + " (table epoch "
              + kept.epoch()
              + ")");
    }
    // the caches need nothing of Vitess: both start at once
    ExecutorService starting = Executors.newSingleThreadExecutor();
    Future<?> caching = starting.submit(this::startCaches);
    try {
      startVitess(vitessDir, kept != null);
      caching.get();
    } finally {
      starting.shutdownNow();
    }

    // ports first: the table names the active instances, and every instance reads the table;
    // a cell serves from the zone of its database's primary (moved by switchovers before a down)
    List<Instance> planned = new ArrayList<>();
    for (Cell cell : manifest.cells()) {
      String serving =
          kept != null
              ? manifest.zoneOfVitessCell(vitess.primaryOf(cell.keyspace(), SHARDS.get(0)).zone())
              : cell.primaryZone();
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
    Tables tables = new Tables(state.tableFile(), Supervisor::say);
    tables.publish(Planner.nextTable(kept, manifest.topology().slots(), plannedCells(planned)));
    say(
        "routing table epoch "
            + tables.current().epoch()
            + (kept != null ? " (the kept slots, cells in their primaries' zones)" : "")
            + " published to "
            + state.tableFile());

    instances = new Instances(state, manifest, vitess, caches);
    // the router needs only the table: it starts while the cell apps do
    int managementPort = ManagedProcess.freePort();
    ExecutorService routerStart = Executors.newSingleThreadExecutor();
    Future<RouterProcess> routing =
        routerStart.submit(
            () -> {
              long step = System.nanoTime();
              RouterProcess process =
                  RouterProcess.start(
                      state.repo().resolve("router/target/quarkus-app/quarkus-run.jar"),
                      Map.of(
                          "UNITCELL_ROUTING_TABLE", state.tableFile().toString(),
                          "UNITCELL_ROUTER_AUTH", "jwt",
                          "UNITCELL_ROUTER_JWT_HS256_SECRET", state.jwtSecret(),
                          "UNITCELL_ROUTER_SECRET", state.routerSecret()),
                      state.platformDir(),
                      routerPort,
                      managementPort);
              say(
                  String.format(
                      "router ready (%.0f s) on http://127.0.0.1:%d", since(step), routerPort));
              return process;
            });
    try {
      startInstances(planned);
      router = routing.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      routerStart.shutdown();
      if (router == null) {
        routing.cancel(true);
      }
    }

    if (kept == null) {
      Files.deleteIfExists(state.flashSalesFile()); // a fresh platform: no sale opened yet
    }
    Switchovers switchovers =
        new Switchovers(
            manifest,
            vitess,
            tables,
            instances,
            router::managementPort,
            http,
            state.routerSecret(),
            Supervisor::say);
    RouterMetrics metrics = new RouterMetrics(http, managementPort, this::running);
    Platform platform =
        new Platform(
            state,
            manifest,
            routerPort,
            vitess,
            caches,
            instances,
            tables,
            router,
            metrics,
            switchovers);
    control =
        ControlServer.start(
            new PlatformControl(
                platform,
                new FlashSaleOpener(platform, http, Supervisor::say),
                down::countDown,
                Supervisor::say));
    Files.writeString(state.controlPortFile(), Integer.toString(control.port()));
    Files.writeString(state.routerPortFile(), Integer.toString(routerPort));
    Files.writeString(state.vtgateUrlFile(), vitess.jdbcUrl("{keyspace}"));
    new Watchdog(instances, tables, switchovers::switching, this::running, Supervisor::say)
        .watchAll();
    metrics.start();
    long warming = System.nanoTime();
    say("warming up: the standard mix for synthetic users through the router");
    new Warmup(
            routerPort,
            state.jwtSecret(),
            state.platformDir(),
            Supervisor::say,
            () ->
                instances.all().stream()
                    .filter(i -> i.active() && i.isAlive())
                    .map(i -> i.app().pid())
                    .toList(),
            new JitActivity())
        .run(WARM_RPS, WARM_MAX);
    say(String.format("warm (%.0f s)", since(warming)));
    say(String.format("%s in %.0f s", LocalState.READY, since(started)));
  }

  private void startVitess(Path directory, boolean resuming) throws IOException {
    long step = System.nanoTime();
    say(
        resuming
            ? "starting Vitess + MySQL again on the kept data (" + directory + ")"
            : "starting Vitess + MySQL: a keyspace per cell, primary and replica in its two zones");
    VitessClusterBuilder builder =
        VitessCluster.builder(directory)
            .zones(manifest.topology().zones().stream().map(Manifests.Zone::vitessCell).toList())
            .shards(SHARDS)
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
  }

  private void startCaches() {
    long step = System.nanoTime();
    for (Cell cell : manifest.cells()) {
      caches.put(
          cell.name(),
          InfinispanServer.start(state.platformDir().resolve("infinispan-" + cell.name())));
    }
    say(
        String.format(
            "Infinispan ready (%.0f s): a server per cell, %s",
            since(step),
            new TreeMap<>(caches)
                .entrySet().stream().map(e -> e.getKey() + " " + e.getValue().hosts()).toList()));
  }

  private void startInstances(List<Instance> planned) throws Exception {
    long step = System.nanoTime();
    say("starting " + planned.size() + " cell-app instances (active + warm standby per cell)");
    ExecutorService pool = Executors.newFixedThreadPool(planned.size());
    try {
      List<Future<Instance>> starting = new ArrayList<>();
      for (Instance instance : planned) {
        starting.add(pool.submit(() -> instances.start(instance)));
      }
      for (Future<Instance> future : starting) {
        Instance instance = future.get();
        instances.put(instance);
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
                  active.stream().map(Instance::endpoint).toList(),
                  CellState.SERVING)));
    }
    return cells;
  }

  private boolean running() {
    return down.getCount() > 0;
  }

  private synchronized void stop() {
    if (control != null) {
      control.close();
      control = null;
    }
    List<AutoCloseable> closing = new ArrayList<>();
    if (router != null) {
      closing.add(router);
    }
    if (instances != null) {
      closing.addAll(instances.clear());
    }
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

  private static double since(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  static void say(String message) {
    System.out.println("[unitcell] " + message);
    System.out.flush();
  }
}

package io.unitcell.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.unitcell.operator.cell.CellReconciler;
import io.unitcell.operator.crds.CrdValidationTest;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.operator.topology.TopologyReconciler;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.WithKubeTestbed;
import io.unitcell.topology.RoutingTable;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A load driver, not a test of timing: both reconcilers run in this JVM (testbed Tier 1) on a
 * client that counts every HTTP request it sends. Each round applies a 1024-slot Topology and 16
 * Cells (8 per zone) with one {@code kubectl apply} in a fresh namespace and polls (every 20 ms,
 * through the testbed's own, uncounted client) until the routing table covers every slot over the
 * 16 cells and the Topology reports Ready with 16 cells. Then the operator is restarted on the same
 * client: every primary is reconciled again, and in steady state that must write nothing.
 *
 * <p>Asserts correctness only (a complete table, no write and no changed resourceVersion after the
 * restart); the figures go to {@code target/operator-scale.txt} and docs/benchmarks.md.
 */
@WithKubeTestbed(tier = 1)
class OperatorScaleIT {

  static final int ROUNDS = Integer.getInteger("unitcell.bench.rounds", 5);
  static final int CELLS = 16;
  static final int SLOTS = 1024;
  static final String TOPOLOGY = "shop";
  static final Duration POLL = Duration.ofMillis(20);
  static final Duration QUIET = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  static final String TOPOLOGY_CONTROLLER = ReconcilerUtils.getNameFor(TopologyReconciler.class);
  static final String CELL_CONTROLLER = ReconcilerUtils.getNameFor(CellReconciler.class);

  @Test
  void sixteenCellsGetACompleteTableAndARestartWritesNothing(
      KubeTestbed testbed, KubernetesClient admin) throws Exception {
    CrdValidationTest.installCrds(admin, namespace(1));
    for (int round = 2; round <= ROUNDS; round++) {
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(namespace(round))
                  .endMetadata()
                  .build())
          .create();
    }
    RequestCounter requests = new RequestCounter();
    ReconcileCounter reconciles = new ReconcileCounter();
    StringBuilder report = new StringBuilder();
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(admin.getConfiguration())
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count", requests))
            .build()) {
      Operator operator = start(client, reconciles);
      List<Round> rounds = new ArrayList<>();
      try {
        for (int round = 1; round <= ROUNDS; round++) {
          rounds.add(round(round, testbed, admin, requests, reconciles));
        }
      } finally {
        operator.stop();
      }
      report.append(converging(rounds));

      // a restart: the new operator lists everything and reconciles every primary once more
      Map<String, String> versionsBefore = versions(admin);
      int requestMark = requests.size();
      int reconcileMark = reconciles.size();
      long started = System.nanoTime();
      Operator restarted = start(client, reconciles);
      Restart restart;
      try {
        await(
            "every Topology and Cell reconciled after the restart",
            () ->
                reconciles.distinct(reconcileMark, TOPOLOGY_CONTROLLER) == ROUNDS
                    && reconciles.distinct(reconcileMark, CELL_CONTROLLER) == ROUNDS * CELLS);
        long allReconciled = System.nanoTime();
        awaitQuiet(requests, requestMark, r -> !r.watch());
        restart =
            new Restart(
                millis(allReconciled - started),
                requests.since(requestMark),
                reconciles.since(reconcileMark));
      } finally {
        restarted.stop();
      }
      report.append(restart(restart));
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "operator-scale.txt"), report, StandardCharsets.UTF_8);
      System.out.println(report);

      assertThat(restart.requests().stream().filter(Request::write).map(Request::describe))
          .as("API writes after a restart in steady state")
          .isEmpty();
      assertThat(versions(admin))
          .as("resourceVersions after the restart")
          .isEqualTo(versionsBefore);
    }
  }

  record Round(
      int round,
      long started,
      long applyMs,
      long tableMs,
      long readyMs,
      long cellsMs,
      long epochAtReady,
      long finalEpoch,
      List<Request> untilReady,
      List<Request> untilQuiet,
      List<String> tableWrites,
      List<Reconcile> reconciles,
      Cpu cpuToReady) {}

  record Restart(long reconciledMs, List<Request> requests, List<Reconcile> reconciles) {}

  static Round round(
      int round,
      KubeTestbed testbed,
      KubernetesClient admin,
      RequestCounter requests,
      ReconcileCounter reconciles) {
    String ns = namespace(round);
    String yaml = manifests(admin, ns);
    int requestMark = requests.size();
    int reconcileMark = reconciles.size();
    Cpu cpuBefore = Cpu.now();
    long started = System.nanoTime();
    testbed.kubectlWithInput(yaml, "apply", "-f", "-");
    long applied = System.nanoTime();
    long table = 0;
    long ready = 0;
    long cells = 0;
    long epochAtReady = 0;
    int untilReady = 0;
    Cpu cpuAtReady = null;
    long deadline = started + TIMEOUT.toNanos();
    while (table == 0 || ready == 0 || cells == 0) {
      assertThat(System.nanoTime())
          .as(
              "round %d: complete table, Ready topology, cells with slots within %s",
              round, TIMEOUT)
          .isLessThan(deadline);
      RoutingTable published =
          RoutingTableConfigMap.table(
              admin.configMaps().inNamespace(ns).withName(TableNames.configMap(TOPOLOGY)).get());
      boolean complete = complete(published);
      if (complete && table == 0) {
        table = System.nanoTime();
      }
      if (complete && ready == 0 && ready(admin, ns, published.epoch())) {
        ready = System.nanoTime();
        epochAtReady = published.epoch();
        untilReady = requests.size();
        cpuAtReady = Cpu.now();
      }
      if (complete && cells == 0 && cellsHaveTheirSlots(admin, ns, published)) {
        cells = System.nanoTime();
      }
      sleep(POLL);
    }
    List<Request> sinceApply = requests.since(requestMark);
    List<Request> toReady = sinceApply.subList(0, untilReady - requestMark);
    awaitQuiet(requests, requestMark, Request::write);
    List<Request> toQuiet = requests.since(requestMark);
    RoutingTable last =
        RoutingTableConfigMap.table(
            admin.configMaps().inNamespace(ns).withName(TableNames.configMap(TOPOLOGY)).get());
    List<String> tableWrites =
        toQuiet.stream()
            .filter(r -> r.write() && r.isTable())
            .map(
                r ->
                    millis(r.nanos() - started)
                        + (r.failed() ? " " + r.method + "->" + r.status : ""))
            .toList();
    return new Round(
        round,
        started,
        millis(applied - started),
        millis(table - started),
        millis(ready - started),
        millis(cells - started),
        epochAtReady,
        last.epoch(),
        toReady,
        toQuiet,
        tableWrites,
        reconciles.since(reconcileMark),
        cpuAtReady.minus(cpuBefore));
  }

  static Operator start(KubernetesClient client, ReconcileCounter reconciles) {
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withMetrics(reconciles)
                    .withCloseClientOnStop(false));
    operator.register(new TopologyReconciler());
    operator.register(new CellReconciler());
    operator.start();
    return operator;
  }

  static String namespace(int round) {
    return "scale-" + round;
  }

  static String cellName(int i) {
    return String.format("cell-%02d", i);
  }

  /** One YAML stream: the topology, then 16 cells alternating between the zones. */
  static String manifests(KubernetesClient client, String ns) {
    List<HasMetadata> objects = new ArrayList<>();
    Topology topology = Samples.topology(ns, TOPOLOGY, "zone-a", "zone-b");
    topology.getSpec().setSlots(SLOTS);
    objects.add(topology);
    for (int i = 1; i <= CELLS; i++) {
      boolean a = i % 2 == 1;
      objects.add(
          Samples.cell(
              ns, cellName(i), TOPOLOGY, a ? "zone-a" : "zone-b", a ? "zone-b" : "zone-a"));
    }
    return objects.stream()
        .map(o -> client.getKubernetesSerialization().asYaml(o).replaceFirst("^---\n", ""))
        .collect(Collectors.joining("---\n"));
  }

  static boolean complete(RoutingTable table) {
    if (table == null || table.slotCount() != SLOTS || table.cells().size() != CELLS) {
      return false;
    }
    Set<String> owners = new HashSet<>(Arrays.asList(table.ownerBySlot()));
    Set<String> expected =
        IntStream.rangeClosed(1, CELLS)
            .mapToObj(OperatorScaleIT::cellName)
            .collect(Collectors.toSet());
    return owners.equals(expected);
  }

  static boolean ready(KubernetesClient admin, String ns, long epoch) {
    Topology topology = admin.resources(Topology.class).inNamespace(ns).withName(TOPOLOGY).get();
    return topology != null
        && topology.getStatus() != null
        && Objects.equals(topology.getStatus().getEpoch(), epoch)
        && topology.getStatus().getSlotsByCell() != null
        && topology.getStatus().getSlotsByCell().size() == CELLS
        && topology.getStatus().getConditions() != null
        && topology.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean cellsHaveTheirSlots(KubernetesClient admin, String ns, RoutingTable table) {
    List<Cell> cells = admin.resources(Cell.class).inNamespace(ns).list().getItems();
    return cells.size() == CELLS
        && cells.stream()
            .allMatch(
                c ->
                    c.getStatus() != null
                        && Objects.equals(
                            c.getStatus().getSlots(),
                            table.slotCountOf(c.getMetadata().getName())));
  }

  /** resourceVersion of every object the rounds made or the operator owns. */
  static Map<String, String> versions(KubernetesClient admin) {
    Map<String, String> versions = new TreeMap<>();
    for (int round = 1; round <= ROUNDS; round++) {
      String ns = namespace(round);
      Stream.of(
              admin.resources(Topology.class).inNamespace(ns).list().getItems(),
              admin.resources(Cell.class).inNamespace(ns).list().getItems(),
              admin.configMaps().inNamespace(ns).list().getItems(),
              admin.apps().deployments().inNamespace(ns).list().getItems(),
              admin.services().inNamespace(ns).list().getItems(),
              admin.serviceAccounts().inNamespace(ns).list().getItems(),
              admin.rbac().roles().inNamespace(ns).list().getItems(),
              admin.rbac().roleBindings().inNamespace(ns).list().getItems(),
              admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).list().getItems(),
              admin.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems(),
              admin.v1().events().inNamespace(ns).list().getItems())
          .flatMap(List::stream)
          .forEach(
              o ->
                  versions.put(
                      ns + "/" + o.getKind() + "/" + o.getMetadata().getName(),
                      o.getMetadata().getResourceVersion()));
    }
    return versions;
  }

  static void awaitQuiet(RequestCounter requests, int mark, Predicate<Request> counted) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      long last = requests.lastNanos(mark, counted);
      if (System.nanoTime() - last >= QUIET.toNanos()) {
        return;
      }
      assertThat(System.nanoTime())
          .as("quiet for %s within %s", QUIET, TIMEOUT)
          .isLessThan(deadline);
      sleep(Duration.ofMillis(100));
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within " + TIMEOUT).isLessThan(deadline);
      sleep(POLL);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static long millis(long nanos) {
    return Math.round(nanos / 1e6);
  }

  // --- report -------------------------------------------------------------------------------

  static String converging(List<Round> rounds) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "OperatorScaleIT: kubectl apply of 1 Topology (%d slots, zone-a/zone-b) + %d Cells"
                + " (8 per zone) per round, %d rounds, each in a fresh namespace; both reconcilers"
                + " in one JVM (JOSDK), testbed Tier 1; polled every %d ms%n%n",
            SLOTS, CELLS, rounds.size(), POLL.toMillis()));
    out.append(
        String.format(
            "%-5s %8s %8s %8s %8s %6s %6s %7s %7s %6s %11s %11s%n",
            "round",
            "apply ms",
            "table ms",
            "ready ms",
            "cells ms",
            "epoch",
            "final",
            "writes",
            "writes",
            "reads",
            "reconciles",
            "reconcile"));
    out.append(
        String.format(
            "%-5s %8s %8s %8s %8s %6s %6s %7s %7s %6s %11s %11s%n",
            "",
            "",
            "",
            "",
            "",
            "@ready",
            "epoch",
            "@ready",
            "@quiet",
            "@quiet",
            "topo/cell",
            "ms topo/cell"));
    for (Round r : rounds) {
      out.append(
          String.format(
              "%-5d %8d %8d %8d %8d %6d %6d %7d %7d %6d %11s %11s%n",
              r.round(),
              r.applyMs(),
              r.tableMs(),
              r.readyMs(),
              r.cellsMs(),
              r.epochAtReady(),
              r.finalEpoch(),
              r.untilReady().stream().filter(Request::write).count(),
              r.untilQuiet().stream().filter(Request::write).count(),
              r.untilQuiet().stream().filter(q -> !q.write() && !q.watch()).count(),
              count(r.reconciles(), TOPOLOGY_CONTROLLER)
                  + "/"
                  + count(r.reconciles(), CELL_CONTROLLER),
              busy(r.reconciles(), TOPOLOGY_CONTROLLER)
                  + "/"
                  + busy(r.reconciles(), CELL_CONTROLLER)));
    }
    out.append(
        String.format(
            "(ms after the apply started: kubectl returned, table complete, + Topology Ready, every"
                + " Cell reports its slots; epoch of the table at Ready and after quiet; writes and"
                + " reads (no watches) of the operator's client; reconciles and their summed wall"
                + " time, concurrent ones overlapping; quiet = no write for %s)%n",
            QUIET));
    for (boolean warm : List.of(false, true)) {
      List<Round> counted = warm ? rounds.subList(1, rounds.size()) : rounds;
      if (counted.isEmpty()) {
        continue;
      }
      out.append(
          String.format(
              warm
                  ? "%nrounds 2-%d (round 1 runs on a cold JVM and cold caches):%n"
                  : "%nall %d rounds:%n",
              rounds.size()));
      out.append(stats("apply (kubectl returned)", counted.stream().map(Round::applyMs).toList()));
      out.append(stats("table complete", counted.stream().map(Round::tableMs).toList()));
      out.append(
          stats("table complete + Topology Ready", counted.stream().map(Round::readyMs).toList()));
      out.append(
          stats("every Cell reports its slots", counted.stream().map(Round::cellsMs).toList()));
      out.append(stats("epoch at Ready", counted.stream().map(Round::epochAtReady).toList()));
      out.append(
          stats(
              "writes until Ready",
              counted.stream()
                  .map(r -> r.untilReady().stream().filter(Request::write).count())
                  .toList()));
    }
    out.append(
        String.format(
            "%nper round, ms after the apply started: routing-table writes; Topology reconciles"
                + " (start+duration)%n"));
    for (Round r : rounds) {
      out.append(String.format("  round %d: table writes %s%n", r.round(), r.tableWrites()));
      out.append(
          String.format(
              "           topology reconciles %s%n",
              r.reconciles().stream()
                  .filter(c -> c.controller().equals(TOPOLOGY_CONTROLLER))
                  .sorted(Comparator.comparingLong(Reconcile::started))
                  .map(c -> millis(c.started() - r.started()) + "+" + millis(c.nanos()))
                  .toList()));
    }
    out.append(
        String.format(
            "%nCPU from the apply to Ready, ms (machine: busy time of all %d cores, /proc/stat;"
                + " other: machine - test JVM, kubectl, apiserver and etcd, i.e. processes outside"
                + " the benchmark; GC: pause time, part of test JVM)%n",
            Runtime.getRuntime().availableProcessors()));
    out.append(
        String.format(
            "  %-5s %6s %9s %6s %8s %10s %6s %8s %6s%n",
            "round", "wall", "test JVM", "GC", "kubectl", "apiserver", "etcd", "machine", "other"));
    for (Round r : rounds) {
      Cpu c = r.cpuToReady();
      out.append(
          String.format(
              "  %-5d %6d %9d %6d %8d %10d %6d %8d %6d%n",
              r.round(),
              r.readyMs(),
              c.jvmMs(),
              c.gcMs(),
              c.kubectlMs(),
              c.apiserverMs(),
              c.etcdMs(),
              c.machineBusyMs(),
              c.otherMs()));
    }
    out.append(
        String.format(
            "%ntest JVM CPU from the apply to Ready by thread (ms; # = a number; threads above 100"
                + " ms in some round):%n"));
    Set<String> busyThreads = new TreeSet<>();
    rounds.forEach(
        r ->
            r.cpuToReady()
                .threadsMs()
                .forEach(
                    (name, ms) -> {
                      if (ms >= 100) {
                        busyThreads.add(name);
                      }
                    }));
    for (String name : busyThreads) {
      out.append(String.format("  %-50s", name));
      rounds.forEach(
          r ->
              out.append(String.format(" %6d", r.cpuToReady().threadsMs().getOrDefault(name, 0L))));
      out.append(String.format("%n"));
    }
    out.append(String.format("  %-50s", "other threads"));
    rounds.forEach(
        r ->
            out.append(
                String.format(
                    " %6d",
                    r.cpuToReady().threadsMs().entrySet().stream()
                        .filter(e -> !busyThreads.contains(e.getKey()))
                        .mapToLong(Map.Entry::getValue)
                        .sum())));
    out.append(String.format("%n  %-50s", "JIT compiler, GC, VM (JVM total - Java threads)"));
    rounds.forEach(
        r ->
            out.append(
                String.format(
                    " %6d",
                    r.cpuToReady().jvmMs()
                        - r.cpuToReady().threadsMs().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())));
    out.append(String.format("%n"));
    out.append(String.format("%nrequests per round until quiet (no write for %s):%n", QUIET));
    Set<String> labels = new TreeSet<>();
    rounds.forEach(r -> r.untilQuiet().forEach(q -> labels.add(q.label())));
    out.append(String.format("  %-34s", "request"));
    rounds.forEach(r -> out.append(String.format(" %6s", "r" + r.round())));
    out.append(String.format("%n"));
    for (String label : labels) {
      out.append(String.format("  %-34s", label));
      rounds.forEach(
          r ->
              out.append(
                  String.format(
                      " %6d",
                      r.untilQuiet().stream().filter(q -> q.label().equals(label)).count())));
      out.append(String.format("%n"));
    }
    out.append(String.format("  writes refused by the server (included above):%n"));
    Set<String> refused = new TreeSet<>();
    rounds.forEach(
        r ->
            r.untilQuiet().stream()
                .filter(q -> q.write() && q.failed())
                .forEach(q -> refused.add(q.refusal())));
    for (String label : refused) {
      out.append(String.format("  %-34s", label));
      rounds.forEach(
          r ->
              out.append(
                  String.format(
                      " %6d",
                      r.untilQuiet().stream()
                          .filter(q -> q.write() && q.failed() && q.refusal().equals(label))
                          .count())));
      out.append(String.format("%n"));
    }
    return out.toString();
  }

  static String restart(Restart restart) {
    StringBuilder out = new StringBuilder();
    List<Request> requests = restart.requests();
    out.append(
        String.format(
            "%nrestart (a new Operator on the same client; %d Topologies and %d Cells in the"
                + " cluster, nothing changed):%n",
            ROUNDS, ROUNDS * CELLS));
    out.append(
        String.format(
            "  every primary reconciled %d ms after start(); reconciles topology/cell: %d/%d"
                + " (busy %s/%s ms)%n",
            restart.reconciledMs(),
            count(restart.reconciles(), TOPOLOGY_CONTROLLER),
            count(restart.reconciles(), CELL_CONTROLLER),
            busy(restart.reconciles(), TOPOLOGY_CONTROLLER),
            busy(restart.reconciles(), CELL_CONTROLLER)));
    out.append(
        String.format(
            "  writes %d, reads %d, watches %d (until no request for %s)%n",
            requests.stream().filter(Request::write).count(),
            requests.stream().filter(r -> !r.write() && !r.watch()).count(),
            requests.stream().filter(Request::watch).count(),
            QUIET));
    Map<String, Long> byLabel = new TreeMap<>();
    requests.forEach(r -> byLabel.merge(r.label(), 1L, Long::sum));
    byLabel.forEach((label, n) -> out.append(String.format("    %-34s %6d%n", label, n)));
    requests.stream()
        .filter(Request::write)
        .forEach(r -> out.append(String.format("  WRITE %s%n", r.describe())));
    return out.toString();
  }

  static String stats(String what, List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    long median =
        sorted.size() % 2 == 1
            ? sorted.get(sorted.size() / 2)
            : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    return String.format(
        "  %-34s median %6d  min %6d  max %6d%n",
        what, median, sorted.get(0), sorted.get(sorted.size() - 1));
  }

  static long count(List<Reconcile> reconciles, String controller) {
    return reconciles.stream().filter(r -> r.controller().equals(controller)).count();
  }

  static long busy(List<Reconcile> reconciles, String controller) {
    return millis(
        reconciles.stream()
            .filter(r -> r.controller().equals(controller))
            .mapToLong(Reconcile::nanos)
            .sum());
  }

  /**
   * CPU time so far: this JVM (the operator and the polling), the testbed's kube-apiserver and etcd
   * (children of this JVM), and every process of the machine (/proc/stat, including kubectl).
   */
  record Cpu(
      long jvmMs,
      long gcMs,
      long kubectlMs,
      long apiserverMs,
      long etcdMs,
      long machineBusyMs,
      Map<String, Long> threadsMs) {
    static Cpu now() {
      long apiserver = 0;
      long etcd = 0;
      for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
        String command = p.info().command().orElse("");
        long ms = p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
        if (command.endsWith("/kube-apiserver")) {
          apiserver += ms;
        } else if (command.endsWith("/etcd")) {
          etcd += ms;
        }
      }
      // Java threads by name without numbers; JIT compiler and GC threads are not among them
      Map<String, Long> threads = new TreeMap<>();
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
        long nanos = info == null ? -1 : mx.getThreadCpuTime(info.getThreadId());
        if (nanos > 0) {
          threads.merge(
              info.getThreadName().replaceAll("[0-9]+", "#"), nanos / 1_000_000, Long::sum);
        }
      }
      return new Cpu(
          ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(0L),
          ManagementFactory.getGarbageCollectorMXBeans().stream()
              .mapToLong(GarbageCollectorMXBean::getCollectionTime)
              .sum(),
          exitedChildrenMs(),
          apiserver,
          etcd,
          machineBusyNow(),
          threads);
    }

    Cpu minus(Cpu before) {
      return new Cpu(
          jvmMs - before.jvmMs,
          gcMs - before.gcMs,
          kubectlMs - before.kubectlMs,
          apiserverMs - before.apiserverMs,
          etcdMs - before.etcdMs,
          machineBusyMs - before.machineBusyMs,
          threadsMs.entrySet().stream()
              .collect(
                  Collectors.toMap(
                      Map.Entry::getKey,
                      e -> e.getValue() - before.threadsMs.getOrDefault(e.getKey(), 0L),
                      Long::sum,
                      TreeMap::new)));
    }

    long otherMs() {
      return machineBusyMs - jvmMs - kubectlMs - apiserverMs - etcdMs;
    }

    // /proc/self/stat fields 16 and 17, cutime and cstime: the CPU of children that exited and were
    // waited for; the testbed's daemons run on, so here that is kubectl
    private static long exitedChildrenMs() {
      try {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10;
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
    }

    // /proc/stat: cpu user nice system idle iowait irq softirq steal ..., in 1/100 s; busy
    // leaves out idle, iowait and steal (time the hypervisor gave to other guests)
    private static long machineBusyNow() {
      try {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i <= Math.min(7, fields.length - 1); i++) {
          if (i != 4 && i != 5) {
            busy += Long.parseLong(fields[i]);
          }
        }
        return busy * 10;
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  // --- counting -----------------------------------------------------------------------------

  /** An HTTP request the operator's client sent. */
  static final class Request {
    private static final ObjectMapper JSON = new ObjectMapper();
    final long nanos = System.nanoTime();
    final String method;
    final URI uri;
    final String resource;
    final String name;
    final boolean watch;
    volatile int status;

    Request(String method, URI uri, String body) {
      this.method = method;
      this.uri = uri;
      this.watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
      // /api/v1/namespaces/NS/PLURAL/NAME/SUB or /apis/GROUP/VERSION/namespaces/NS/PLURAL/NAME/SUB
      List<String> path =
          Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
      List<String> rest =
          path.size() < 2
              ? List.of()
              : path.subList(path.get(0).equals("api") ? 2 : 3, path.size());
      if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
        rest = rest.subList(2, rest.size());
      }
      this.resource =
          rest.isEmpty() ? uri.getPath() : rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
      this.name = rest.size() > 1 ? rest.get(1) : createdName(method, body);
    }

    private static String createdName(String method, String body) {
      if (!method.equals("POST") || body == null) {
        return null;
      }
      try {
        String name = JSON.readTree(body).path("metadata").path("name").asText(null);
        return name == null || name.isEmpty() ? null : name;
      } catch (java.io.IOException e) {
        return null;
      }
    }

    long nanos() {
      return nanos;
    }

    boolean write() {
      return WRITES.contains(method);
    }

    boolean watch() {
      return watch;
    }

    boolean failed() {
      return status >= 400;
    }

    boolean isTable() {
      return resource.equals("configmaps")
          && name != null
          && name.equals(TableNames.configMap(TOPOLOGY));
    }

    String label() {
      String verb =
          watch ? "WATCH" : method.equals("GET") ? (name == null ? "LIST" : "GET") : method;
      return verb + " " + resource;
    }

    String refusal() {
      return label() + " -> " + status;
    }

    String describe() {
      return method
          + " "
          + uri.getPath()
          + (uri.getQuery() == null ? "" : "?" + uri.getQuery())
          + " -> "
          + status;
    }
  }

  /** Counts the requests a client sends, through a fabric8 HTTP interceptor. */
  static final class RequestCounter implements Interceptor {
    // ties a response to its request: the request the interceptors see is rebuilt before sending
    private static final String TAG = "X-Unitcell-Request";
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Request> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      Request counted = new Request(request.method(), request.uri(), request.bodyString());
      String tag = Long.toString(sequence.incrementAndGet());
      builder.setHeader(TAG, tag);
      requests.add(counted);
      inFlight.put(tag, counted);
    }

    @Override
    public void after(
        HttpRequest request,
        HttpResponse<?> response,
        AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      String tag = request.header(TAG);
      Request counted = tag == null ? null : inFlight.remove(tag);
      if (counted != null) {
        counted.status = response.code();
      }
    }

    int size() {
      return requests.size();
    }

    List<Request> since(int mark) {
      synchronized (requests) {
        return List.copyOf(requests.subList(mark, requests.size()));
      }
    }

    /** When the last request since {@code mark} matching {@code counted} was sent. */
    long lastNanos(int mark, Predicate<Request> counted) {
      return since(mark).stream().filter(counted).mapToLong(Request::nanos).max().orElse(0);
    }
  }

  record Reconcile(
      String controller, String execution, ResourceID resource, long started, long nanos) {}

  /** Counts reconciler executions through JOSDK's metrics hook (around reconcile and cleanup). */
  static final class ReconcileCounter implements Metrics {
    private final List<Reconcile> reconciles = Collections.synchronizedList(new ArrayList<>());

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
      long started = System.nanoTime();
      try {
        return execution.execute();
      } finally {
        reconciles.add(
            new Reconcile(
                execution.controllerName(),
                execution.name(),
                execution.resourceID(),
                started,
                System.nanoTime() - started));
      }
    }

    int size() {
      return reconciles.size();
    }

    List<Reconcile> since(int mark) {
      synchronized (reconciles) {
        return List.copyOf(reconciles.subList(mark, reconciles.size()));
      }
    }

    long distinct(int mark, String controller) {
      return since(mark).stream()
          .filter(r -> r.controller().equals(controller))
          .map(Reconcile::resource)
          .distinct()
          .count();
    }
  }
}

package io.unitcell.bench.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.unitcell.bench.operator.OperatorScaleIT.Round;
import io.unitcell.bench.operator.ReconcileCounter.Reconcile;
import io.unitcell.bench.operator.RequestCounter.Request;
import io.unitcell.operator.Samples;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
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
 * restart); the figures go to {@code bench/target/operator-scale.txt} and docs/benchmarks.md. A
 * measurement, not a test: bench's {@code mvn verify} skips it; {@code bench/operator.sh} runs it.
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
      report.append(ScaleReport.converging(rounds));

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
      report.append(ScaleReport.restart(restart));
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
}

package io.unitcell.bench.operator;

import static io.unitcell.bench.operator.OperatorScaleIT.CELLS;
import static io.unitcell.bench.operator.OperatorScaleIT.CELL_CONTROLLER;
import static io.unitcell.bench.operator.OperatorScaleIT.POLL;
import static io.unitcell.bench.operator.OperatorScaleIT.QUIET;
import static io.unitcell.bench.operator.OperatorScaleIT.ROUNDS;
import static io.unitcell.bench.operator.OperatorScaleIT.SLOTS;
import static io.unitcell.bench.operator.OperatorScaleIT.TOPOLOGY_CONTROLLER;
import static io.unitcell.bench.operator.OperatorScaleIT.millis;

import io.unitcell.bench.operator.OperatorScaleIT.Restart;
import io.unitcell.bench.operator.OperatorScaleIT.Round;
import io.unitcell.bench.operator.ReconcileCounter.Reconcile;
import io.unitcell.bench.operator.RequestCounter.Request;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The figures of OperatorScaleIT as text: per round, CPU, requests, the restart. */
final class ScaleReport {
  private ScaleReport() {}

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
}

package io.unitcell.bench.platform;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import io.unitcell.local.load.LoadDriver;
import io.unitcell.local.load.LoadSummary;
import io.unitcell.local.state.LocalState;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The whole local platform under {@code ./unitcell load}'s standard mix, ramped in steps: per step
 * the rate achieved, errors by class, TP50/TP99/TP999 and the CPU of every process (the load driver
 * runs in this JVM, on the same machine). The first step starts as soon as it is called, so right
 * after READY it measures what a user gets from the first request. The last line names the highest
 * rate that met the bar (no errors, TP99 within the limit). Run by {@code bench/platform.sh}.
 */
public final class PlatformBenchmark {

  record Options(
      Path state,
      List<Integer> steps,
      Duration stepDuration,
      int users,
      Path out,
      Duration p99Bar,
      int stopAfterFailures,
      boolean waitReady) {

    static Options parse(String[] args) {
      Path state = null;
      Path out = null;
      List<Integer> steps = List.of(100, 150, 200, 250, 300, 350, 400);
      Duration step = Duration.ofSeconds(30);
      int users = 5000;
      Duration bar = Duration.ofMillis(250);
      int stopAfter = 2;
      boolean waitReady = false;
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--wait-ready")) {
          waitReady = true;
          continue;
        }
        String value = i + 1 < args.length ? args[i + 1] : null;
        if (value == null) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        switch (args[i++]) {
          case "--state" -> state = Path.of(value);
          case "--out" -> out = Path.of(value);
          case "--steps" ->
              steps = List.of(value.split(",")).stream().map(Integer::valueOf).toList();
          case "--step-seconds" -> step = Duration.ofSeconds(Long.parseLong(value));
          case "--users" -> users = Integer.parseInt(value);
          case "--p99-ms" -> bar = Duration.ofMillis(Long.parseLong(value));
          case "--stop-after-failures" -> stopAfter = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
        }
      }
      if (state == null && System.getenv("UNITCELL_STATE") != null) {
        // from the environment, not the command line: ./unitcell up and down take every process
        // whose command line names the state directory for one of the platform's own
        state = Path.of(System.getenv("UNITCELL_STATE"));
      }
      if (state == null || out == null) {
        throw new IllegalArgumentException(
            "--out DIR and a state directory are needed" + " (--state DIR or UNITCELL_STATE)");
      }
      return new Options(state, steps, step, users, out, bar, stopAfter, waitReady);
    }
  }

  /** One step's figures. */
  record Step(int offered, LoadSummary load, Map<String, Double> cpu, double machine) {
    boolean meets(Duration p99Bar) {
      return load.errors() == 0 && load.notSent() == 0 && load.p99Nanos() <= p99Bar.toNanos();
    }

    double platformCpu() {
      return cpu.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("platform benchmark: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(new PlatformBenchmark().run(options) ? 0 : 1);
  }

  boolean run(Options options) throws Exception {
    LocalState state = new LocalState(options.state());
    // the driver's own JIT first, on a stub: the first step then measures the platform alone
    say("warming the load driver up against a stub server (10 s), not the platform");
    DriverWarmup.run(Duration.ofSeconds(10), 300);
    if (options.waitReady()) {
      awaitReady(state, Duration.ofMinutes(15));
    }
    long supervisor =
        state
            .supervisor()
            .orElseThrow(() -> new IllegalStateException("unitcell is not running"))
            .pid();
    int routerPort =
        state.routerPort().orElseThrow(() -> new IllegalStateException("no router port"));
    Files.createDirectories(options.out());
    ProcessCpu cpu = new ProcessCpu(supervisor, p -> javaRole(p, state));
    String runId = "bench" + Long.toString(System.currentTimeMillis(), 36);
    List<Step> steps = new ArrayList<>();
    int failuresInARow = 0;
    say(
        String.format(
            "steps %s requests/s, %d s each, %d users, standard mix; bar: 0 errors, TP99 <= %d ms",
            options.steps(),
            options.stepDuration().toSeconds(),
            options.users(),
            options.p99Bar().toMillis()));
    for (int i = 0; i < options.steps().size(); i++) {
      int rps = options.steps().get(i);
      Path acked = options.out().resolve("acked-step-" + (i + 1) + ".txt");
      Path log = options.out().resolve("step-" + (i + 1) + "-load.txt");
      say(
          String.format(
              "step %d: %d requests/s for %d s%s",
              i + 1,
              rps,
              options.stepDuration().toSeconds(),
              i == 0 ? " (from the first request)" : ""));
      Map<String, Duration> before = cpu.sample();
      long[] machineBefore = MachineCpu.sample();
      long started = System.nanoTime();
      LoadSummary load;
      try (PrintStream out = new PrintStream(Files.newOutputStream(log), true)) {
        load =
            new LoadDriver(
                    new LoadDriver.Settings(
                        options.users(), rps, options.stepDuration(), acked, runId + "s" + i, null),
                    "http://127.0.0.1:" + routerPort,
                    state.jwtSecret(),
                    out)
                .measure();
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - started);
      Step step =
          new Step(
              rps,
              load,
              ProcessCpu.percentOfACore(before, cpu.sample(), wall),
              MachineCpu.busyPercent(machineBefore, MachineCpu.sample()));
      steps.add(step);
      print(step, options.p99Bar());
      failuresInARow = step.meets(options.p99Bar()) ? 0 : failuresInARow + 1;
      if (failuresInARow >= options.stopAfterFailures() && i + 1 < options.steps().size()) {
        say(failuresInARow + " steps in a row missed the bar: the ramp stops here");
        break;
      }
    }
    writeTsv(options.out().resolve("results.tsv"), steps, options.p99Bar());
    boolean firstOk = !steps.isEmpty() && steps.get(0).load().errors() == 0;
    say(
        "first step ("
            + steps.get(0).offered()
            + " requests/s from the first request): "
            + (firstOk ? "0 errors" : steps.get(0).load().errors() + " errors"));
    int best =
        steps.stream()
            .filter(s -> s.meets(options.p99Bar()))
            .mapToInt(Step::offered)
            .max()
            .orElse(0);
    System.out.println(
        best > 0
            ? String.format(
                "highest rate meeting 0 errors and TP99 <= %d ms: %d requests/s",
                options.p99Bar().toMillis(), best)
            : String.format("no step met 0 errors and TP99 <= %d ms", options.p99Bar().toMillis()));
    return best > 0;
  }

  /**
   * Waits until the supervisor's log says READY (the platform is being started meanwhile), woken by
   * changes in the state directory as {@code ./unitcell up} is; at most {@code max}.
   */
  static void awaitReady(LocalState state, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    Files.createDirectories(state.dir());
    try (WatchService changes = FileSystems.getDefault().newWatchService()) {
      state.dir().register(changes, ENTRY_CREATE, ENTRY_MODIFY);
      while (System.nanoTime() < deadline) {
        if (Files.exists(state.logFile())) {
          String log = Files.readString(state.logFile());
          if (log.contains(LocalState.READY)) {
            return;
          }
          if (log.contains("[unitcell] FAILED")) {
            throw new IllegalStateException("the platform did not start: see " + state.logFile());
          }
        }
        WatchKey change = changes.poll(1, TimeUnit.SECONDS);
        if (change != null) {
          change.pollEvents();
          change.reset();
        }
      }
    }
    throw new IllegalStateException(
        "the platform did not say READY within " + max.toMinutes() + " min: " + state.logFile());
  }

  /** What a JVM of the platform is, from its jar and, for a cell app, the table's endpoints. */
  static String javaRole(ProcessHandle process, LocalState state) {
    String args = String.join(" ", process.info().arguments().orElse(new String[0]));
    if (args.contains("router/target/quarkus-app")) {
      return "router";
    }
    if (!args.contains("cell-app/target/quarkus-app")) {
      return "java (other)";
    }
    Map<String, String> env = ProcessCpu.environment(process.pid());
    String cell = env.get("UNITCELL_CELL");
    String endpoint = "127.0.0.1:" + env.get("QUARKUS_HTTP_PORT");
    try {
      RoutingTable table = RoutingTable.fromJson(Files.readAllBytes(state.tableFile()));
      boolean active =
          cell != null
              && table.cells().containsKey(cell)
              && table.route(cell).endpoints().contains(endpoint);
      return active ? "cell-app active" : "cell-app standby";
    } catch (IOException | RuntimeException e) {
      return "cell-app";
    }
  }

  private static void print(Step step, Duration bar) {
    LoadSummary l = step.load();
    System.out.printf(
        "  achieved %.1f/s  ok %d  errors %d  retries %d  not sent %d  TP50 %s  TP99 %s  TP999"
            + " %s  max %s%n",
        l.achievedRps(),
        l.ok(),
        l.errors(),
        l.retries(),
        l.notSent(),
        millis(l.p50Nanos()),
        millis(l.p99Nanos()),
        millis(l.p999Nanos()),
        millis(l.maxNanos()));
    if (!l.errorsByOutcome().isEmpty()) {
      System.out.println("  errors by operation and answer: " + l.errorsByOutcome());
    }
    System.out.println(
        "  cpu, % of a core: "
            + step.cpu().entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format("%s %.0f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ")));
    System.out.printf(
        "  platform + load %.0f, machine %.0f of %d (other work %.0f)%n",
        step.platformCpu(),
        step.machine(),
        100 * Runtime.getRuntime().availableProcessors(),
        Math.max(0, step.machine() - step.platformCpu()));
    System.out.println("  meets the bar: " + (step.meets(bar) ? "yes" : "no"));
  }

  private static void writeTsv(Path file, List<Step> steps, Duration bar) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(
        "offered\tachieved\terrors\tnot_sent\tp50_ms\tp99_ms\tp999_ms\tplatform_cpu\tmachine_cpu"
            + "\tmeets\terrors_by_outcome\tcpu_by_process");
    for (Step s : steps) {
      LoadSummary l = s.load();
      lines.add(
          String.format(
              "%d\t%.1f\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%s\t%s",
              s.offered(),
              l.achievedRps(),
              l.errors(),
              l.notSent(),
              l.p50Nanos() / 1e6,
              l.p99Nanos() / 1e6,
              l.p999Nanos() / 1e6,
              s.platformCpu(),
              s.machine(),
              s.meets(bar) ? "yes" : "no",
              l.errorsByOutcome(),
              s.cpu()));
    }
    Files.write(file, lines);
  }

  private static String millis(long nanos) {
    return nanos < 0 ? "-" : String.format("%.1f ms", nanos / 1e6);
  }

  private static void say(String line) {
    System.out.println(
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " == " + line);
  }
}

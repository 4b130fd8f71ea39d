package io.unitcell.bench.orderpath;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code --jfr}: a profile of the cell-app over the measured HTTP phase only. At the phase's start
 * and end it takes the app's per-thread CPU time from {@code /proc/<pid>/task} (every thread, also
 * GC and JIT compiler threads, which JFR's execution samples do not show), the app's {@code
 * /q/metrics}, and {@code /debug/vars} of every Vitess daemon of the run (vtgate, vttablets: query
 * and transaction counts; the vttablets' {@code /queryz}: each statement's count); through the
 * whole HTTP phase it scrapes {@code /q/metrics} every few seconds, as Prometheus would ({@link
 * #scrapeDuringWarmUp}). The app records with JFR from its start ({@link #jvmOptions}: starting a
 * recording in a warm JVM with jcmd deoptimised it and cut its throughput for ~10 s), with JFR's
 * profile settings but Java stacks sampled every {@value #SAMPLE_PERIOD} instead of 10 ms and
 * monitor contention recorded from 1 ms; after the phase {@code jcmd JFR.dump begin=... end=...}
 * writes the measured window to {@code cell-app.jfr} ({@code window.txt} has the window's instants,
 * to filter events exactly). Everything goes to {@code <run>/profile/}; the per-thread CPU table is
 * also printed.
 */
final class AppProfile {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
  private static final String RECORDING = "order-path";

  private static final String SAMPLE_PERIOD = "2 ms";
  private static final int SCRAPE_SECONDS = 5;

  /**
   * For the app's command line: a recording from the start with {@code
   * <run>/profile/order-path.jfc} (the JDK's profile.jfc, Java stacks sampled every {@value
   * #SAMPLE_PERIOD}, monitor contention from 1 ms), deeper stacks than the default 64 frames, and
   * debug information at non-safepoints (exact frames for samples in inlined code).
   */
  static List<String> jvmOptions(Path runDir) {
    Path jdk = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    Path jfc = runDir.resolve("profile").resolve("order-path.jfc");
    try {
      String settings = Files.readString(jdk);
      String sampled =
          settings
              .replaceFirst(
                  "(<event name=\"jdk.ExecutionSample\">\\s*<setting[^>]*>true</setting>\\s*"
                      + "<setting name=\"period\"[^>]*>)[^<]*<",
                  "$1" + SAMPLE_PERIOD + "<")
              .replaceFirst(
                  "(<event name=\"jdk.JavaMonitorEnter\">(?:\\s*<setting[^>]*>[^<]*</setting>)*?"
                      + "\\s*<setting name=\"threshold\"[^>]*>)[^<]*<",
                  "$1" + "1 ms<");
      if (sampled.equals(settings)) {
        throw new IllegalStateException("cannot adjust " + jdk + " (layout changed?)");
      }
      Files.createDirectories(jfc.getParent());
      Files.writeString(jfc, sampled);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + jfc, e);
    }
    return List.of(
        "-XX:StartFlightRecording=name=" + RECORDING + ",settings=" + jfc.toAbsolutePath(),
        "-XX:FlightRecorderOptions=stackdepth=128",
        // samples in inlined code are attributed to the method they are in, not to the nearest
        // safepoint's (without it a sample's top frames can be a neighbouring inlined method)
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:+DebugNonSafepoints");
  }

  private final long appPid;
  private final URI appBase;
  private final Path dir;
  private final HttpClient client;
  private Map<Long, ThreadTime> threadsBefore = Map.of();
  private double processBefore;
  private long startedNanos;
  private java.time.Instant begin;
  private Map<Long, ThreadTime> threadsAfter = Map.of();
  private double processUsed;
  private double window;
  private java.util.concurrent.ScheduledExecutorService scraper;

  private record ThreadTime(String name, double seconds) {}

  AppProfile(long appPid, URI appBase, Path runDir) {
    this.appPid = appPid;
    this.appBase = appBase;
    this.dir = runDir.resolve("profile");
    // its own client (HTTP/1.1 as the load generator's: no h2c upgrade requests), so the load
    // generator's connections stay as they are
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Scrapes {@code /q/metrics} every {@value #SCRAPE_SECONDS} s from now on, as Prometheus would:
   * the first scrape at the start of the measured phase then finds its code paths in the JIT's
   * profile (a first GET after a warm-up of POSTs only deoptimised Vert.x's HTTP pipeline and had
   * C2 recompile it inside the measured window).
   */
  void scrapeDuringWarmUp() {
    scraper =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "metrics-scraper");
              thread.setDaemon(true);
              return thread;
            });
    scraper.scheduleWithFixedDelay(
        () -> {
          try {
            client.send(
                HttpRequest.newBuilder(appBase.resolve("/q/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
          } catch (IOException e) {
            // the next scrape tries again
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        0,
        SCRAPE_SECONDS,
        TimeUnit.SECONDS);
  }

  Path recording() {
    return dir.resolve("cell-app.jfr");
  }

  /** At the start of the measured phase: counters first, then the recording. */
  void start() {
    snapshotHttp("before");
    threadsBefore = threads();
    processBefore = processSeconds();
    startedNanos = System.nanoTime();
    begin = java.time.Instant.now();
  }

  /** At the end of the measured phase: CPU first (the recording's stop is not measured). */
  void stop() {
    window = (System.nanoTime() - startedNanos) / 1e9;
    threadsAfter = threads();
    processUsed = processSeconds() - processBefore;
    java.time.Instant end = java.time.Instant.now();
    try {
      Files.writeString(
          dir.resolve("window.txt"),
          "begin "
              + begin
              + " "
              + begin.toEpochMilli()
              + "\nend "
              + end
              + " "
              + end.toEpochMilli()
              + "\n");
    } catch (IOException e) {
      OrderPathBenchmark.log("cannot write window.txt: %s", e);
    }
    if (scraper != null) {
      scraper.shutdownNow();
    }
    jcmd(
        "JFR.dump",
        "name=" + RECORDING,
        "begin=" + begin,
        "end=" + end,
        "filename=" + recording().toAbsolutePath());
    snapshotHttp("after");
  }

  /** The app's CPU by thread group over the measured phase; also written to app-threads.txt. */
  String report(long orders) {
    String table = threadTable(threadsAfter, processUsed, window, orders);
    try {
      Files.writeString(dir.resolve("app-threads.txt"), table);
    } catch (IOException e) {
      OrderPathBenchmark.log("cannot write the thread table: %s", e);
    }
    return table;
  }

  private String threadTable(
      Map<Long, ThreadTime> after, double process, double window, long orders) {
    Map<String, double[]> groups = new TreeMap<>(); // seconds, threads
    double sum = 0;
    for (Map.Entry<Long, ThreadTime> t : after.entrySet()) {
      ThreadTime before = threadsBefore.get(t.getKey());
      double used =
          t.getValue().seconds()
              - (before != null && before.name().equals(t.getValue().name())
                  ? before.seconds()
                  : 0);
      sum += used;
      double[] g = groups.computeIfAbsent(group(t.getValue().name()), k -> new double[2]);
      g[0] += used;
      g[1]++;
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "cell-app (pid %d) CPU in the measured window (%.1f s, %d orders): process %.2f"
                + " core-s (%.2f ms/order), live threads %.2f (threads that ended: %.2f);"
                + " %d threads at the end%n",
            appPid,
            window,
            orders,
            process,
            orders > 0 ? process * 1000 / orders : Double.NaN,
            sum,
            process - sum,
            after.size()));
    out.append(
        String.format(
            Locale.ROOT,
            "  %-22s %8s %7s %10s %7s%n",
            "thread group",
            "core-s",
            "share",
            "ms/order",
            "threads"));
    groups.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .filter(e -> e.getValue()[0] >= 0.005)
        .forEach(
            e ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "  %-22s %8.2f %6.1f%% %10.3f %7d%n",
                        e.getKey(),
                        e.getValue()[0],
                        process > 0 ? 100 * e.getValue()[0] / process : Double.NaN,
                        orders > 0 ? e.getValue()[0] * 1000 / orders : Double.NaN,
                        (int) e.getValue()[1])));
    return out.toString();
  }

  /**
   * A thread's name without its number: {@code executor-thread-12} is {@code executor-thread-#}.
   */
  private static String group(String name) {
    return name.replaceAll("[0-9]+", "#");
  }

  private Map<Long, ThreadTime> threads() {
    Map<Long, ThreadTime> threads = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(appPid), "task");
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
      for (Path task : dirs) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String[] fields = stat.substring(close + 2).split(" ");
          double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
          threads.put(
              Long.parseLong(task.getFileName().toString()),
              new ThreadTime(stat.substring(open + 1, close), cpu));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      OrderPathBenchmark.log("cannot read %s: %s", tasks, e);
    }
    return threads;
  }

  private double processSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(appPid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The app's metrics and every Vitess daemon's /debug/vars, into {@code <label>-*.txt}. */
  private void snapshotHttp(String label) {
    fetch(appBase.resolve("/q/metrics"), dir.resolve(label + "-cell-app-metrics.txt"));
    for (Map.Entry<String, Integer> daemon : vitessDaemons().entrySet()) {
      fetch(
          URI.create("http://127.0.0.1:" + daemon.getValue() + "/debug/vars"),
          dir.resolve(label + "-" + daemon.getKey() + "-vars.json"));
      if (daemon.getKey().startsWith("vttablet")) {
        fetch(
            URI.create("http://127.0.0.1:" + daemon.getValue() + "/queryz"),
            dir.resolve(label + "-" + daemon.getKey() + "-queryz.html"));
      }
    }
  }

  private void fetch(URI uri, Path to) {
    try {
      HttpResponse<Path> response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofFile(to));
      if (response.statusCode() != 200) {
        OrderPathBenchmark.log("%s answered %d", uri, response.statusCode());
      }
    } catch (IOException e) {
      OrderPathBenchmark.log("cannot fetch %s: %s", uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** vtgate and vttablets among this JVM's descendants: {@code vtgate-<pid>} to its web port. */
  private static Map<String, Integer> vitessDaemons() {
    Map<String, Integer> daemons = new TreeMap<>();
    ProcessHandle.current()
        .descendants()
        .forEach(
            p -> {
              try {
                String[] args =
                    Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
                        .split("\0");
                if (args.length == 0) {
                  return;
                }
                String binary = Path.of(args[0]).getFileName().toString();
                if (!binary.equals("vtgate") && !binary.equals("vttablet")) {
                  return;
                }
                for (int i = 1; i + 1 < args.length; i++) {
                  if (args[i].equals("--port")) {
                    String alias = binary;
                    for (int j = 1; j + 1 < args.length; j++) {
                      if (args[j].equals("--tablet-path")) {
                        alias = binary + "-" + args[j + 1];
                      }
                    }
                    daemons.put(alias, Integer.parseInt(args[i + 1]));
                  }
                }
              } catch (IOException | RuntimeException e) {
                // not ours to read, or gone
              }
            });
    return daemons;
  }

  private void jcmd(String... command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    List<String> args = new ArrayList<>();
    args.add(jcmd.toString());
    args.add(Long.toString(appPid));
    args.addAll(List.of(command));
    try {
      Process p =
          new ProcessBuilder(args)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("jcmd.log").toFile()))
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroy();
        OrderPathBenchmark.log("jcmd %s did not finish in 60 s", String.join(" ", command));
      } else if (p.exitValue() != 0) {
        OrderPathBenchmark.log("jcmd %s exited with %d", String.join(" ", command), p.exitValue());
      }
    } catch (IOException e) {
      OrderPathBenchmark.log("cannot run jcmd: %s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.unitcell.bench.orderpath;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM and every process it started (the cell-app, vtgate, vttablets, mysqld, ...)
 * from {@code /proc/<pid>/stat}, grouped by command name, so a report can say where the machine's
 * cores went during a phase. Linux only; elsewhere the snapshot is empty.
 */
final class CpuUsage {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  /** Threads of this JVM that are the load generator: workers and java.net.http's own. */
  static final String CLIENT_THREAD_PREFIX = "load-";

  private final Map<String, Double> secondsByName;
  // this JVM's threads: id -> CPU seconds; ids of load-generator threads
  private final Map<Long, Double> threadSeconds;
  private final Set<Long> clientThreads;
  private final double machineBusy;
  private final long nanoTime;

  private CpuUsage(
      Map<String, Double> secondsByName,
      Map<Long, Double> threadSeconds,
      Set<Long> clientThreads,
      double machineBusy,
      long nanoTime) {
    this.secondsByName = secondsByName;
    this.threadSeconds = threadSeconds;
    this.clientThreads = clientThreads;
    this.machineBusy = machineBusy;
    this.nanoTime = nanoTime;
  }

  /**
   * CPU seconds (user + system) so far of this JVM and its descendants.
   *
   * @param appPid the cell-app's pid, reported as {@code cell-app}; -1 when it is not running
   */
  static CpuUsage snapshot(long appPid) {
    Map<String, Double> seconds = new TreeMap<>();
    long self = ProcessHandle.current().pid();
    add(seconds, self, "driver");
    ProcessHandle.current()
        .descendants()
        .forEach(
            p -> {
              long pid = p.pid();
              add(seconds, pid, pid == appPid ? "cell-app" : null);
            });
    // the driver JVM: the load generator's threads apart from the rest (Infinispan server, ...);
    // what no Java thread accounts for is the JIT compiler and the GC
    Map<Long, Double> threadSeconds = new HashMap<>();
    Set<Long> clientThreads = new HashSet<>();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (thread == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(thread.getThreadId());
      if (cpu < 0) {
        continue;
      }
      threadSeconds.put(thread.getThreadId(), cpu / 1e9);
      String name = thread.getThreadName();
      if (name.startsWith(CLIENT_THREAD_PREFIX) || name.startsWith("HttpClient-")) {
        clientThreads.add(thread.getThreadId());
      }
    }
    return new CpuUsage(
        seconds, threadSeconds, clientThreads, machineBusySeconds(), System.nanoTime());
  }

  /** The driver's CPU by thread group; threads that ended in between are left out. */
  private String driverSplit(CpuUsage before, double driver) {
    double client = 0;
    double other = 0;
    for (Map.Entry<Long, Double> t : threadSeconds.entrySet()) {
      double used = t.getValue() - before.threadSeconds.getOrDefault(t.getKey(), 0.0);
      if (clientThreads.contains(t.getKey())) {
        client += used;
      } else {
        other += used;
      }
    }
    return String.format(
        Locale.ROOT,
        " (load-generator threads %.1f, Infinispan and other threads %.1f, JIT/GC %.1f)",
        client,
        other,
        Math.max(0, driver - client - other));
  }

  /** CPU seconds all cores spent busy since boot (/proc/stat: all but idle and iowait). */
  private static double machineBusySeconds() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      // cpu user nice system idle iowait irq softirq steal (guest time is inside user)
      for (int i = 1; i <= 8 && i < cpu.length; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(cpu[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static void add(Map<String, Double> seconds, long pid, String name) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String comm = stat.substring(open + 1, close);
      String[] fields = stat.substring(close + 2).split(" ");
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15
      double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
      seconds.merge(name != null ? name : comm, cpu, Double::sum);
    } catch (IOException | RuntimeException e) {
      // the process exited meanwhile, or this is not Linux
    }
  }

  /**
   * Where CPU went between {@code before} and this snapshot: the machine's busy core-seconds, then
   * this run's processes, largest first ({@code cell-app 31.2, vtgate 12.0, ...}; a process gone by
   * now is left out), then whatever else ran on the machine meanwhile.
   */
  String since(CpuUsage before) {
    Map<String, Double> delta = new LinkedHashMap<>();
    secondsByName.entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(), e.getValue() - before.secondsByName.getOrDefault(e.getKey(), 0.0)))
        .filter(e -> e.getValue() >= 0.05)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> delta.put(e.getKey(), e.getValue()));
    double total = delta.values().stream().mapToDouble(Double::doubleValue).sum();
    double wall = (nanoTime - before.nanoTime) / 1e9;
    double machine = machineBusy - before.machineBusy;
    return String.format(
            Locale.ROOT,
            "%.1f of %.1f available (%d cores x %.1f s); this run %.1f: ",
            machine,
            wall * CORES,
            CORES,
            wall,
            total)
        + delta.entrySet().stream()
            .map(
                e ->
                    String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())
                        + (e.getKey().equals("driver") ? driverSplit(before, e.getValue()) : ""))
            .collect(Collectors.joining(", "))
        + String.format(Locale.ROOT, "; other processes %.1f", Math.max(0, machine - total));
  }
}

package io.unitcell.bench.orderpath;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where the machine's CPU went during a phase, from {@code /proc}: this JVM (the driver: load
 * generator and the in-process Infinispan server) and every process it started (the cell-app,
 * vtgate, vttablets, mysqld, ...), grouped by command name; every other process on the machine; and
 * the machine's busy time, so a report shows whether the run had the machine to itself. Linux only;
 * elsewhere the figures are empty.
 */
final class CpuUsage {

  /** Threads of this JVM that are the load generator (java.net.http's own are added to them). */
  static final String CLIENT_THREAD_PREFIX = "load-";

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private record Proc(String name, boolean ours, double seconds) {}

  private final Map<Long, Proc> processes;
  private final Map<Long, Double> threadSeconds;
  private final Set<Long> clientThreads;
  private final long compileMillis;
  private final long gcCount;
  private final long gcMillis;
  private final double machineBusy;
  private final double machineSteal;
  private final double machineIoWait;
  private final long nanoTime;

  private CpuUsage(
      Map<Long, Proc> processes,
      Map<Long, Double> threadSeconds,
      Set<Long> clientThreads,
      long compileMillis,
      long gcCount,
      long gcMillis,
      double[] machine,
      long nanoTime) {
    this.processes = processes;
    this.threadSeconds = threadSeconds;
    this.clientThreads = clientThreads;
    this.compileMillis = compileMillis;
    this.gcCount = gcCount;
    this.gcMillis = gcMillis;
    this.machineBusy = machine[0];
    this.machineSteal = machine[1];
    this.machineIoWait = machine[2];
    this.nanoTime = nanoTime;
  }

  /**
   * CPU seconds (user + system) so far of every process, and of this JVM's threads.
   *
   * @param appPid the cell-app's pid, reported as {@code cell-app}; -1 when it is not running
   */
  static CpuUsage snapshot(long appPid) {
    long self = ProcessHandle.current().pid();
    Set<Long> ours = new HashSet<>();
    ours.add(self);
    ProcessHandle.current().descendants().forEach(p -> ours.add(p.pid()));
    Map<Long, Proc> processes = new HashMap<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : proc) {
        long pid = Long.parseLong(dir.getFileName().toString());
        Proc p =
            read(
                pid,
                ours.contains(pid),
                pid == self ? "driver" : pid == appPid ? "cell-app" : null);
        if (p != null) {
          processes.put(pid, p);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    // the driver JVM: the load generator's threads apart from the rest (Infinispan server, ...);
    // what no live Java thread accounts for is the JIT compiler, the GC and threads that ended
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
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    var compilation = ManagementFactory.getCompilationMXBean();
    long compileMillis =
        compilation != null && compilation.isCompilationTimeMonitoringSupported()
            ? compilation.getTotalCompilationTime()
            : 0;
    return new CpuUsage(
        processes,
        threadSeconds,
        clientThreads,
        compileMillis,
        gcCount,
        gcMillis,
        machine(),
        System.nanoTime());
  }

  /**
   * Where CPU went between {@code before} and this snapshot: the machine's busy core-seconds, this
   * run's processes, largest first ({@code cell-app 31.2, vtgate 12.0, ...}), then every other
   * process on the machine. A process that ended in between is left out.
   */
  String since(CpuUsage before) {
    Map<String, Double> ours = new TreeMap<>();
    Map<String, Double> others = new TreeMap<>();
    processes.forEach(
        (pid, now) -> {
          Proc then = before.processes.get(pid);
          double used =
              now.seconds() - (then != null && then.name().equals(now.name()) ? then.seconds() : 0);
          (now.ours() ? ours : others).merge(now.name(), used, Double::sum);
        });
    double oursTotal = ours.values().stream().mapToDouble(Double::doubleValue).sum();
    double othersTotal = others.values().stream().mapToDouble(Double::doubleValue).sum();
    double wall = (nanoTime - before.nanoTime) / 1e9;
    return String.format(
            Locale.ROOT,
            "machine busy %.1f of %.1f (%d cores x %.1f s; iowait %.1f, steal %.1f); this run %.1f:"
                + " ",
            machineBusy - before.machineBusy,
            wall * CORES,
            CORES,
            wall,
            machineIoWait - before.machineIoWait,
            machineSteal - before.machineSteal,
            oursTotal)
        + largestFirst(
            ours, name -> name.equals("driver") ? driverSplit(before, ours.get(name)) : "")
        + String.format(Locale.ROOT, "; other processes %.1f", othersTotal)
        + (othersTotal >= 0.5 ? " (" + largestFirst(others, name -> "") + ")" : "");
  }

  private static String largestFirst(
      Map<String, Double> seconds, java.util.function.Function<String, String> detail) {
    return seconds.entrySet().stream()
        .filter(e -> e.getValue() >= 0.05)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(8)
        .map(
            e ->
                String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())
                    + detail.apply(e.getKey()))
        .collect(Collectors.joining(", "));
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
        " [load-generator threads %.1f, Infinispan and other threads %.1f, JIT/GC %.1f:"
            + " compiling %.1f s, %d GCs pausing %.2f s]",
        client,
        other,
        Math.max(0, driver - client - other),
        (compileMillis - before.compileMillis) / 1000.0,
        gcCount - before.gcCount,
        (gcMillis - before.gcMillis) / 1000.0);
  }

  /**
   * Core-seconds since boot the machine spent busy (/proc/stat user, nice, system, irq, softirq),
   * stolen by the hypervisor, and idle waiting for the disk.
   */
  private static double[] machine() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal (guest time is inside user)
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7}) {
        busy += Long.parseLong(cpu[i]);
      }
      return new double[] {
        busy / TICKS_PER_SECOND,
        Long.parseLong(cpu[8]) / TICKS_PER_SECOND,
        Long.parseLong(cpu[5]) / TICKS_PER_SECOND
      };
    } catch (IOException | RuntimeException e) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
  }

  private static Proc read(long pid, boolean ours, String name) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String comm = stat.substring(open + 1, close);
      String[] fields = stat.substring(close + 2).split(" ");
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15
      double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
      return new Proc(name != null ? name : comm, ours, cpu);
    } catch (IOException | RuntimeException e) {
      return null; // the process exited meanwhile
    }
  }
}

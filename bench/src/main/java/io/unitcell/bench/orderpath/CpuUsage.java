package io.unitcell.bench.orderpath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

  private final Map<String, Double> secondsByName;
  private final double machineBusy;
  private final long nanoTime;

  private CpuUsage(Map<String, Double> secondsByName, double machineBusy, long nanoTime) {
    this.secondsByName = secondsByName;
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
    return new CpuUsage(seconds, machineBusySeconds(), System.nanoTime());
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
            .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", "))
        + String.format(Locale.ROOT, "; other processes %.1f", Math.max(0, machine - total));
  }
}

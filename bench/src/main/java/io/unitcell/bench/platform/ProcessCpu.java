package io.unitcell.bench.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * CPU time of the platform's processes (the supervisor and everything it started, plus the
 * benchmark's own JVM, which drives the load), grouped by what each process is: {@code mysqld},
 * {@code vttablet}, {@code cell-app active}, {@code router}, ...
 */
final class ProcessCpu {

  /** Known programs by executable name; every other process is counted as its name. */
  private static final Set<String> DAEMONS =
      Set.of("mysqld", "mysqlctld", "vttablet", "vtgate", "vtctld", "etcd", "vtorc");

  private final long supervisorPid;
  private final Function<ProcessHandle, String> javaRole;

  /**
   * @param javaRole what a JVM of the platform is ({@code cell-app active}, {@code router}, ...),
   *     given its handle
   */
  ProcessCpu(long supervisorPid, Function<ProcessHandle, String> javaRole) {
    this.supervisorPid = supervisorPid;
    this.javaRole = javaRole;
  }

  /** CPU time used so far, by group; processes that ended are not counted. */
  Map<String, Duration> sample() {
    Map<String, Duration> byGroup = new TreeMap<>();
    ProcessHandle supervisor = ProcessHandle.of(supervisorPid).orElse(null);
    if (supervisor == null) {
      throw new IllegalStateException("the supervisor (pid " + supervisorPid + ") is not running");
    }
    add(byGroup, "supervisor (+ Infinispan)", supervisor);
    add(byGroup, "load driver + benchmark", ProcessHandle.current());
    try (Stream<ProcessHandle> children = supervisor.descendants()) {
      children.forEach(p -> add(byGroup, group(p), p));
    }
    return byGroup;
  }

  private String group(ProcessHandle process) {
    Optional<String> command =
        process.info().command().map(c -> Path.of(c).getFileName().toString());
    if (command.isEmpty()) {
      return "(exited)";
    }
    String name = command.get();
    if (DAEMONS.contains(name)) {
      return name;
    }
    if (name.equals("java")) {
      return javaRole.apply(process);
    }
    return name;
  }

  private static void add(Map<String, Duration> byGroup, String group, ProcessHandle process) {
    Optional<Duration> cpu = cpuOf(process.pid());
    cpu.ifPresent(c -> byGroup.merge(group, c, Duration::plus));
  }

  /**
   * utime + stime of {@code pid} from {@code /proc} (ProcessHandle's is not exact for children).
   */
  static Optional<Duration> cpuOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name in parentheses may hold spaces: fields count from its closing one
      List<String> fields = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
      long ticks = Long.parseLong(fields.get(11)) + Long.parseLong(fields.get(12));
      return Optional.of(Duration.ofMillis(ticks * 1000 / CLOCK_TICKS));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** {@code getconf CLK_TCK}: 100 on Linux everywhere this runs. */
  private static final long CLOCK_TICKS = 100;

  /** The environment of a process as {@code /proc/<pid>/environ} has it (readable as its user). */
  static Map<String, String> environment(long pid) {
    Map<String, String> env = new LinkedHashMap<>();
    try {
      for (String entry :
          new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")))
              .split("\0")) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      // gone, or not ours: no environment
    }
    return env;
  }

  /** Each group's share of one core between two samples ({@code 100} = a whole core). */
  static Map<String, Double> percentOfACore(
      Map<String, Duration> before, Map<String, Duration> after, Duration wall) {
    Map<String, Double> share = new TreeMap<>();
    after.forEach(
        (group, cpu) -> {
          Duration used = cpu.minus(before.getOrDefault(group, Duration.ZERO));
          share.put(group, 100.0 * used.toNanos() / wall.toNanos());
        });
    return share;
  }
}

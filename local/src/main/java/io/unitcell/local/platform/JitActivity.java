package io.unitcell.local.platform;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How busy the JIT compilers of some JVMs are: the CPU time of their HotSpot compiler threads
 * ({@code C1 CompilerThread*}, {@code C2 CompilerThread*}), read from {@code
 * /proc/<pid>/task/<tid>/stat}. A JVM whose compilers still take a good share of a core is not warm
 * yet: each request still runs in part interpreted or in profiled code, and the compilation itself
 * takes CPU from the requests (on a 2-core machine, most of a core for the first minutes).
 *
 * <p>Linux only; elsewhere, or when a process has gone, {@link #sample} answers empty and the
 * caller decides without it.
 */
final class JitActivity {

  /** {@code comm} of HotSpot's compiler threads, cut to 15 characters by the kernel. */
  private static final String C1 = "C1 CompilerThre";

  private static final String C2 = "C2 CompilerThre";

  private final Path proc;

  JitActivity() {
    this(Path.of("/proc"));
  }

  JitActivity(Path proc) {
    this.proc = proc;
  }

  /** The compiler threads' CPU so far, in clock ticks, per pid; empty if one cannot be read. */
  Optional<Map<Long, Long>> sample(Collection<Long> pids) {
    Map<Long, Long> ticks = new HashMap<>();
    for (long pid : pids) {
      Optional<Long> one = compilerTicks(pid);
      if (one.isEmpty()) {
        return Optional.empty();
      }
      ticks.put(pid, one.get());
    }
    return Optional.of(ticks);
  }

  /**
   * The highest share of one core any of the JVMs' compilers used between two samples taken {@code
   * seconds} apart ({@code 0.3} = 30 % of a core), at {@code ticksPerSecond} ({@code CLK_TCK}, 100
   * on Linux); a pid missing from either sample counts as busy (it restarted meanwhile).
   */
  static double busiest(
      Map<Long, Long> before, Map<Long, Long> after, double seconds, int ticksPerSecond) {
    double most = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      Long then = before.get(e.getKey());
      if (then == null) {
        return 1;
      }
      most = Math.max(most, (e.getValue() - then) / (seconds * ticksPerSecond));
    }
    return before.keySet().equals(after.keySet()) ? most : 1;
  }

  private Optional<Long> compilerTicks(long pid) {
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(pid + "/task"))) {
      for (Path task : tasks) {
        String comm;
        String stat;
        try {
          comm = Files.readString(task.resolve("comm")).strip();
          if (!comm.startsWith(C1) && !comm.startsWith(C2)) {
            continue;
          }
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended between the listing and the read
        }
        sum += cpuTicks(stat);
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.of(sum);
  }

  /**
   * utime + stime of one {@code stat} line: fields 14 and 15, counted after the command name in
   * parentheses (which may itself hold spaces and parentheses).
   */
  static long cpuTicks(String stat) {
    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // rest[0] is field 3 (state), so field n is rest[n - 3]
    return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
  }
}

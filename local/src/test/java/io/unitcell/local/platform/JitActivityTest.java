package io.unitcell.local.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JIT compilers' CPU, read from a made-up {@code /proc} and from this JVM's own. */
class JitActivityTest {

  @TempDir Path proc;

  private void thread(long pid, long tid, String comm, long utime, long stime) throws IOException {
    Path task = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
    Files.writeString(task.resolve("comm"), comm + "\n");
    Files.writeString(
        task.resolve("stat"),
        tid
            + " ("
            + comm
            + ") S 1 1 1 0 -1 4194624 100 0 0 0 "
            + utime
            + " "
            + stime
            + " 0 0 20 0 40 0 12345 0 0\n");
  }

  @Test
  void sumsOnlyTheCompilerThreadsOfEachJvm() throws IOException {
    thread(10, 11, "java", 500, 50);
    thread(10, 12, "C2 CompilerThre", 300, 20);
    thread(10, 13, "C1 CompilerThre", 40, 2);
    thread(10, 14, "executor-thread", 900, 90);
    thread(20, 21, "C2 CompilerThre", 7, 1);

    assertThat(new JitActivity(proc).sample(List.of(10L, 20L)))
        .contains(Map.of(10L, 362L, 20L, 8L));
  }

  @Test
  void aGoneProcessMakesTheSampleUnknown() throws IOException {
    thread(10, 12, "C2 CompilerThre", 300, 20);

    assertThat(new JitActivity(proc).sample(List.of(10L, 99L))).isEmpty();
  }

  @Test
  void readsTheTimesAfterACommandNameWithSpacesAndParentheses() {
    assertThat(JitActivity.cpuTicks("42 (a b) c)) R 1 2 3 4 5 6 7 8 9 10 17 4 0 0\n"))
        .isEqualTo(21);
  }

  @Test
  void theBusiestJvmDecidesAndARestartedOneCountsAsBusy() {
    Map<Long, Long> before = Map.of(10L, 100L, 20L, 100L);

    // 30 ticks in 3 s at 100 ticks/s: 10 % of a core; 60 ticks: 20 %
    assertThat(JitActivity.busiest(before, Map.of(10L, 130L, 20L, 160L), 3, 100))
        .isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(JitActivity.busiest(before, Map.of(10L, 130L, 30L, 100L), 3, 100)).isEqualTo(1);
    assertThat(JitActivity.busiest(before, Map.of(10L, 130L), 3, 100)).isEqualTo(1);
  }

  @Test
  void findsTheCompilersOfThisJvm() {
    long self = ProcessHandle.current().pid();
    JitActivity jit = new JitActivity();
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux's /proc");
    // this JVM has compiled something by now (JUnit itself), so its compilers have used CPU
    long spent = 0;
    for (int i = 0; i < 10_000 && spent == 0; i++) {
      spent = jit.sample(List.of(self)).orElseThrow().get(self);
      busyWork(i);
    }
    assertThat(spent).isPositive();
  }

  private static volatile long sink;

  private static void busyWork(int seed) {
    long x = seed;
    for (int i = 0; i < 1000; i++) {
      x = x * 31 + i;
    }
    sink = x;
  }
}

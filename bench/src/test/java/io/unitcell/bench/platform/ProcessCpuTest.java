package io.unitcell.bench.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the platform benchmark reads and shares out CPU time. */
class ProcessCpuTest {

  @Test
  void thisJvmHasUsedCpuTimeAndItsEnvironmentIsReadable() {
    long pid = ProcessHandle.current().pid();
    assertThat(ProcessCpu.cpuOf(pid)).hasValueSatisfying(cpu -> assertThat(cpu).isPositive());
    assertThat(ProcessCpu.environment(pid)).containsKey("PATH");
    assertThat(ProcessCpu.cpuOf(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void sharesAreOfOneCoreOverTheWallTime() {
    Map<String, Double> share =
        ProcessCpu.percentOfACore(
            Map.of("mysqld", Duration.ofSeconds(10)),
            Map.of("mysqld", Duration.ofSeconds(25), "vtgate", Duration.ofSeconds(3)),
            Duration.ofSeconds(30));
    assertThat(share).containsEntry("mysqld", 50.0).containsEntry("vtgate", 10.0);
  }

  @Test
  void theMachineIsBusyBetweenZeroAndAllItsCores() {
    long[] before = MachineCpu.sample();
    long spin = System.nanoTime() + 50_000_000;
    while (System.nanoTime() < spin) {
      Thread.onSpinWait();
    }
    double busy = MachineCpu.busyPercent(before, MachineCpu.sample());
    assertThat(busy).isBetween(0.0, 100.0 * Runtime.getRuntime().availableProcessors());
  }
}

package io.unitcell.bench.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The whole machine's CPU from {@code /proc/stat}: what every process used, ours or not. */
final class MachineCpu {

  private MachineCpu() {}

  /** {busy, total} jiffies of all cores so far. */
  static long[] sample() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
      return new long[] {total - idle, total};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Busy share between two samples, {@code 100} = one core. */
  static double busyPercent(long[] before, long[] after) {
    long total = after[1] - before[1];
    int cores = Runtime.getRuntime().availableProcessors();
    return total == 0 ? 0 : 100.0 * cores * (after[0] - before[0]) / total;
  }
}

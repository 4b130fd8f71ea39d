package io.unitcell.local.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a load run counts — requests, answers by operation and outcome, retries, flash-sale buys,
 * latencies (the last 2^20 in a ring) — and how it prints them: a progress line while it runs and
 * the final report.
 */
final class LoadStats {

  final LongAdder sent = new LongAdder();
  final LongAdder ok = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder flashBuys = new LongAdder();
  final LongAdder flashAcked = new LongAdder();
  final LongAdder flashSoldOut = new LongAdder();
  final LongAdder flashFailed = new LongAdder();
  final LongAdder flashRetries = new LongAdder();
  final LongAdder skipped = new LongAdder();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final long[] window = new long[1 << 20];
  private final AtomicLong windowSize = new AtomicLong();

  /** One answer (or transport failure) of {@code op}, labelled as the report shows it. */
  void count(String op, String label, boolean okay) {
    (okay ? ok : errors).increment();
    outcomes.computeIfAbsent(op + " " + label, k -> new LongAdder()).increment();
    if (!okay) {
      failures.computeIfAbsent(op + " " + label, k -> new LongAdder()).increment();
    }
  }

  void latency(long nanos) {
    long index = windowSize.getAndIncrement();
    window[(int) (index & (window.length - 1))] = nanos;
  }

  /** The progress line after {@code elapsed} of {@code total} seconds. */
  String progress(long elapsed, long total, int acked, String flashSale) {
    return String.format(
        "  %3d/%d s  sent %d  ok %d  errors %d  retries %d  acked %d%s  p99 %s   ",
        elapsed,
        total,
        sent.sum(),
        ok.sum(),
        errors.sum(),
        retries.sum() + flashRetries.sum(),
        acked,
        flashSale == null
            ? ""
            : String.format(" (flash %d, sold out %d)", flashAcked.sum(), flashSoldOut.sum()),
        formatMillis(percentile(recentLatencies(), 0.99)));
  }

  private long[] recentLatencies() {
    long last = windowSize.get();
    int take = (int) Math.min(Math.min(last, window.length), 2000);
    long[] recent = new long[take];
    for (int i = 0; i < take; i++) {
      recent[i] = window[(int) ((last - 1 - i) & (window.length - 1))];
    }
    return recent;
  }

  LoadSummary summary(double seconds, int acked) {
    long[] all = Arrays.copyOf(window, (int) Math.min(windowSize.get(), window.length));
    Arrays.sort(all);
    Map<String, Long> failed = new TreeMap<>();
    failures.forEach((k, v) -> failed.put(k, v.sum()));
    return new LoadSummary(
        seconds,
        sent.sum(),
        ok.sum(),
        errors.sum(),
        retries.sum() + flashRetries.sum(),
        skipped.sum(),
        percentile(all, 0.50),
        percentile(all, 0.99),
        percentile(all, 0.999),
        percentile(all, 1.0),
        failed,
        acked);
  }

  /** The final report. */
  void report(
      PrintStream out,
      double seconds,
      int offeredRps,
      int maxInFlight,
      String flashSale,
      int acked,
      Path ackedFile) {
    long[] all = Arrays.copyOf(window, (int) Math.min(windowSize.get(), window.length));
    out.printf(
        "%n%nload report (%.0f s, %.0f requests/s achieved of %d offered)%n",
        seconds, sent.sum() / seconds, offeredRps);
    out.printf(
        "  requests %d: ok %d, errors %d; create retries %d%s; not sent (over %d in flight) %d%n",
        sent.sum(),
        ok.sum(),
        errors.sum(),
        retries.sum(),
        flashSale == null ? "" : ", flash-sale retries " + flashRetries.sum(),
        maxInFlight,
        skipped.sum());
    out.printf(
        "  latency: TP50 %s  TP99 %s  TP999 %s  max %s%n",
        formatMillis(percentile(all, 0.50)),
        formatMillis(percentile(all, 0.99)),
        formatMillis(percentile(all, 0.999)),
        formatMillis(percentile(all, 1.0)));
    out.println("  by operation and outcome:");
    new TreeMap<>(outcomes).forEach((k, v) -> out.printf("    %-40s %d%n", k, v.sum()));
    if (flashSale != null) {
      out.printf(
          "  flash sale %s: buys %d: acknowledged %d (PENDING until stored), sold out %d,"
              + " failed %d%n",
          flashSale, flashBuys.sum(), flashAcked.sum(), flashSoldOut.sum(), flashFailed.sum());
    }
    out.printf(
        "  orders acknowledged: %d%s (written to %s; check them with ./unitcell verify %s)%n",
        acked,
        flashSale == null ? "" : ", " + flashAcked.sum() + " of them flash-sale",
        ackedFile,
        ackedFile);
  }

  static long percentile(long[] values, double p) {
    if (values.length == 0) {
      return -1;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)];
  }

  static String formatMillis(long nanos) {
    return nanos < 0 ? "-" : String.format("%.1f ms", nanos / 1e6);
  }
}

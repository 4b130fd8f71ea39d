package io.unitcell.bench.orderpath;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: {@code concurrency} threads, each with its own {@link Worker}, create orders
 * back to back for a warm-up (not recorded), then for the measured time. Every order's latency is
 * taken with {@link System#nanoTime()} around the whole call and recorded into a per-thread
 * HdrHistogram; the histograms are merged at the end. An order counts in the measured phase when it
 * started in it.
 */
final class ClosedLoop {

  /** One virtual user (its own user id and connection), driven by one thread only. */
  interface Worker extends AutoCloseable {
    /**
     * Creates order number {@code seq} of this worker.
     *
     * @return null when the order was created, else what went wrong
     */
    Failure order(long seq) throws Exception;

    @Override
    default void close() {}
  }

  /** A failed order: a short label to count by (e.g. {@code HTTP 503}) and one example detail. */
  record Failure(String label, String detail) {}

  /** Pause after a failure (not part of any latency), so a dead dependency is not hammered. */
  private static final long FAILURE_PAUSE_MS = 10;

  /** Progress is printed this often. */
  private static final long TICK_NANOS = 5_000_000_000L;

  private ClosedLoop() {}

  /**
   * Runs the load.
   *
   * @param workers makes the worker of thread {@code i}; all are made (connections opened) before
   *     the clock starts
   */
  static Result run(
      String side,
      int concurrency,
      IntFunction<Worker> workers,
      Duration warmup,
      Duration measure,
      Runnable measuredPhaseStarts,
      Runnable measuredPhaseEnds) {
    List<Worker> made = new ArrayList<>();
    try {
      for (int i = 0; i < concurrency; i++) {
        made.add(workers.apply(i));
      }
      return runWith(side, made, warmup, measure, measuredPhaseStarts, measuredPhaseEnds);
    } finally {
      for (Worker worker : made) {
        try {
          worker.close();
        } catch (RuntimeException e) {
          // a benchmark connection that does not close cleanly changes nothing measured
        }
      }
    }
  }

  private static Result runWith(
      String side,
      List<Worker> workers,
      Duration warmup,
      Duration measure,
      Runnable measuredPhaseStarts,
      Runnable measuredPhaseEnds) {
    int n = workers.size();
    CountDownLatch go = new CountDownLatch(1);
    long[] times = new long[3]; // start, end of warm-up, end
    PerThread[] results = new PerThread[n];
    LongAdder completed = new LongAdder(); // orders of both phases, for the progress lines
    CountDownLatch finished = new CountDownLatch(n);
    CountDownLatch exit = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PerThread mine = results[i] = new PerThread();
      Worker worker = workers.get(i);
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                loop(worker, mine, completed, times[1], times[2]);
                // stay alive until the end is measured: a thread's CPU time ends with it
                finished.countDown();
                try {
                  exit.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              CpuUsage.CLIENT_THREAD_PREFIX + side + "-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    times[0] = System.nanoTime();
    times[1] = times[0] + warmup.toNanos();
    times[2] = times[1] + measure.toNanos();
    go.countDown();
    long tick = times[0];
    long doneBefore = 0;
    boolean measuring = false;
    while (tick < times[2]) {
      long next = Math.min(tick + TICK_NANOS, times[measuring ? 2 : 1]);
      sleepUntil(next);
      long done = completed.sum();
      OrderPathBenchmark.log(
          "%s %s %3.0f s: %5.0f orders/s",
          side,
          measuring ? "measured" : "warm-up ",
          (next - (measuring ? times[1] : times[0])) / 1e9,
          (done - doneBefore) / ((next - tick) / 1e9));
      doneBefore = done;
      tick = next;
      if (!measuring && tick >= times[1]) {
        measuring = true;
        measuredPhaseStarts.run();
      }
    }
    try {
      finished.await();
      measuredPhaseEnds.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      exit.countDown();
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    return Result.merge(side, n, times[1], results);
  }

  private static void loop(
      Worker worker, PerThread mine, LongAdder completed, long measureFrom, long measureUntil) {
    for (long seq = 0; ; seq++) {
      long start = System.nanoTime();
      if (start >= measureUntil) {
        return;
      }
      Failure failure;
      try {
        failure = worker.order(seq);
      } catch (Exception e) {
        failure = new Failure(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
      }
      long end = System.nanoTime();
      boolean measured = start >= measureFrom;
      if (failure == null) {
        completed.increment();
        if (measured) {
          mine.latencies.recordValue(end - start);
          mine.lastEnd = Math.max(mine.lastEnd, end);
        } else {
          mine.warmupOrders++;
        }
      } else {
        if (measured) {
          mine.errors.merge(failure.label(), 1L, Long::sum);
          mine.lastEnd = Math.max(mine.lastEnd, end);
        } else {
          mine.warmupErrors++;
        }
        mine.examples.putIfAbsent(failure.label(), failure.detail());
        sleepUntil(System.nanoTime() + FAILURE_PAUSE_MS * 1_000_000);
      }
    }
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** What one thread saw. */
  static final class PerThread {
    final Histogram latencies = new Histogram(3);
    final Map<String, Long> errors = new TreeMap<>();
    final Map<String, String> examples = new TreeMap<>();
    long warmupOrders;
    long warmupErrors;
    long lastEnd;
  }

  /** One side's figures; latencies in nanoseconds. */
  record Result(
      String side,
      int concurrency,
      Histogram latencies,
      Map<String, Long> errors,
      Map<String, String> examples,
      long warmupOrders,
      long warmupErrors,
      Duration window) {

    static Result merge(String side, int concurrency, long measureFrom, PerThread[] threads) {
      Histogram all = new Histogram(3);
      Map<String, Long> errors = new TreeMap<>();
      Map<String, String> examples = new TreeMap<>();
      long warmupOrders = 0;
      long warmupErrors = 0;
      long lastEnd = measureFrom;
      for (PerThread t : threads) {
        all.add(t.latencies);
        t.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
        t.examples.forEach(examples::putIfAbsent);
        warmupOrders += t.warmupOrders;
        warmupErrors += t.warmupErrors;
        lastEnd = Math.max(lastEnd, t.lastEnd);
      }
      return new Result(
          side,
          concurrency,
          all,
          errors,
          examples,
          warmupOrders,
          warmupErrors,
          Duration.ofNanos(lastEnd - measureFrom));
    }

    long orders() {
      return latencies.getTotalCount();
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    long requests() {
      return orders() + errorCount();
    }

    /** Orders created per second of the measured window (first start to last completion). */
    double throughput() {
      double seconds = window.toNanos() / 1e9;
      return seconds > 0 ? orders() / seconds : 0;
    }

    double percentileMillis(double percentile) {
      return orders() == 0 ? Double.NaN : latencies.getValueAtPercentile(percentile) / 1e6;
    }

    double maxMillis() {
      return orders() == 0 ? Double.NaN : latencies.getMaxValue() / 1e6;
    }

    double meanMillis() {
      return orders() == 0 ? Double.NaN : latencies.getMean() / 1e6;
    }
  }
}

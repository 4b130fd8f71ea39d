package io.unitcell.bench.orderpath;

import io.unitcell.bench.orderpath.ClosedLoop.Result;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the order-path benchmark prints at the end. */
final class OrderPathReport {

  private OrderPathReport() {}

  /** The HTTP side alone ({@code --http-only}, for profiling the app): no ratios. */
  static void printHttpOnly(OrderPathOptions options, Result http, String httpCpu) {
    System.out.printf(
        Locale.ROOT,
        "%n== http only: %d virtual users, %d s warm-up + %d s measured: %d orders, %d errors,"
            + " %.1f orders/s, p50 %.2f ms, p99 %.2f ms%n",
        options.concurrency(),
        options.warmup().toSeconds(),
        options.measure().toSeconds(),
        http.orders(),
        http.errorCount(),
        http.throughput(),
        http.percentileMillis(50),
        http.percentileMillis(99));
    System.out.println("cpu core-seconds, measured http phase: " + httpCpu);
  }

  /** Both sides' figures and their ratios. */
  static void print(
      OrderPathOptions options, Result http, Result jdbc, String httpCpu, String jdbcCpu) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "== order creation: %d virtual users per side, %d s warm-up + %d s measured per side;"
            + " HTTP phase first, then JDBC%n",
        options.concurrency(),
        options.warmup().toSeconds(),
        options.measure().toSeconds());
    System.out.println(
        "http = POST /orders (java.net.http, HTTP/1.1 keep-alive) -> cell-app -> vtgate;"
            + " jdbc = 2 inserts + commit per order, one Connector/J connection per thread ->"
            + " same vtgate");
    System.out.printf(
        Locale.ROOT,
        "%-5s %9s %7s %9s %9s %9s %9s %9s %9s%n",
        "side",
        "requests",
        "errors",
        "orders/s",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "mean ms");
    for (Result r : List.of(http, jdbc)) {
      System.out.printf(
          Locale.ROOT,
          "%-5s %9d %7d %9.1f %9.2f %9.2f %9.2f %9.2f %9.2f%n",
          r.side(),
          r.requests(),
          r.errorCount(),
          r.throughput(),
          r.percentileMillis(50),
          r.percentileMillis(99),
          r.percentileMillis(99.9),
          r.maxMillis(),
          r.meanMillis());
    }
    for (Result r : List.of(http, jdbc)) {
      if (r.errorCount() > 0 || r.warmupErrors() > 0) {
        System.out.printf(
            "%s errors: measured %s, warm-up %d; e.g. %s%n",
            r.side(),
            r.errors(),
            r.warmupErrors(),
            r.examples().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(" | ")));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "measured windows: http %.1f s, jdbc %.1f s; warm-up orders: http %d, jdbc %d%n",
        http.window().toMillis() / 1000.0,
        jdbc.window().toMillis() / 1000.0,
        http.warmupOrders(),
        jdbc.warmupOrders());
    System.out.println("cpu core-seconds, measured http phase: " + httpCpu);
    System.out.println("cpu core-seconds, measured jdbc phase: " + jdbcCpu);
    System.out.printf(
        Locale.ROOT,
        "http/jdbc throughput ratio %s%n",
        ratio(http.throughput(), jdbc.throughput()));
    System.out.printf(
        Locale.ROOT,
        "http/jdbc p50 ratio %s%n",
        ratio(http.percentileMillis(50), jdbc.percentileMillis(50)));
    System.out.printf(
        Locale.ROOT,
        "http/jdbc p99 ratio %s%n",
        ratio(http.percentileMillis(99), jdbc.percentileMillis(99)));
  }

  static String ratio(double a, double b) {
    return b > 0 && !Double.isNaN(a) ? String.format(Locale.ROOT, "%.2f", a / b) : "n/a";
  }
}

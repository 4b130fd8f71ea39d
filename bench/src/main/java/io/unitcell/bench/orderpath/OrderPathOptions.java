package io.unitcell.bench.orderpath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code bench/order-path.sh} asks of {@link OrderPathBenchmark}: the repository and the
 * cell-app jar, virtual users per side, warm-up and measured time, and what to keep or record.
 */
record OrderPathOptions(
    Path repo,
    Path appJar,
    int concurrency,
    Duration warmup,
    Duration measure,
    boolean keepData,
    boolean jfr,
    boolean httpOnly,
    Map<String, String> appEnv) {

  /** Parses the arguments; prints the usage and exits with 2 on a bad one. */
  static OrderPathOptions parse(String[] args) {
    Path repo = Path.of(".");
    Path appJar = null;
    int seconds = 30;
    int concurrency = 16;
    // on 2 cores the app's JIT needs ~60 s of load before its throughput levels off (with 10 s
    // it was still climbing from 116 to 186 orders/s through the measured 30 s); vtgate, MySQL and
    // the JDBC side level off after ~20 s
    int warmupSeconds = 300;
    boolean keepData = false;
    boolean jfr = false;
    boolean httpOnly = false;
    Map<String, String> appEnv = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--keep-data")) {
        keepData = true;
        continue;
      }
      if (arg.equals("--jfr")) {
        jfr = true;
        continue;
      }
      if (arg.equals("--http-only")) {
        httpOnly = true;
        continue;
      }
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (arg) {
        case "--repo" -> repo = Path.of(require(arg, value));
        case "--app-jar" -> appJar = Path.of(require(arg, value));
        case "--seconds" -> seconds = positive(arg, value);
        case "--concurrency" -> concurrency = positive(arg, value);
        case "--warmup" -> warmupSeconds = positive(arg, value);
        case "--app-env" -> {
          String assignment = require(arg, value);
          int eq = assignment.indexOf('=');
          if (eq < 1) {
            usage("--app-env needs NAME=VALUE, got " + assignment);
          }
          appEnv.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        default -> usage("unknown argument " + arg);
      }
      i++;
    }
    repo = repo.toAbsolutePath().normalize();
    if (appJar == null) {
      appJar = repo.resolve("cell-app/target/quarkus-app/quarkus-run.jar");
    }
    appJar = appJar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(appJar)) {
      usage("no cell-app jar at " + appJar + "; build it with mvn -pl cell-app -am package");
    }
    return new OrderPathOptions(
        repo,
        appJar,
        concurrency,
        Duration.ofSeconds(warmupSeconds),
        Duration.ofSeconds(seconds),
        keepData,
        jfr,
        httpOnly,
        Map.copyOf(appEnv));
  }

  private static String require(String arg, String value) {
    if (value == null) {
      usage(arg + " needs a value");
    }
    return value;
  }

  private static int positive(String arg, String value) {
    try {
      int n = Integer.parseInt(require(arg, value));
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    usage(arg + " must be a positive integer, got " + value);
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("order-path: " + problem);
    System.err.println(
        "usage: OrderPathBenchmark --repo DIR [--seconds N] [--concurrency C] [--warmup N]"
            + " [--app-jar FILE] [--keep-data] [--jfr] [--http-only] [--app-env NAME=VALUE]...");
    System.exit(2);
  }
}

package io.unitcell.local.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every 5 s, the router's response counters by cell ({@code unitcell_router_responses_total} on its
 * {@code /q/metrics}); the last ~70 s are kept, for each cell's 5xx share over the last minute in
 * {@code ./unitcell status}.
 */
final class RouterMetrics {

  private static final Duration PERIOD = Duration.ofSeconds(5);
  private static final int KEPT = 15;
  private static final Pattern RESPONSES =
      Pattern.compile("^unitcell_router_responses_total\\{(.*)\\}\\s+([0-9.eE+]+)$");
  private static final Pattern CELL_LABEL = Pattern.compile("cell=\"([^\"]*)\"");
  private static final Pattern CODE_LABEL = Pattern.compile("code=\"([^\"]*)\"");

  /** The router's response counters at one moment: cell → {all responses, 5xx}. */
  private record Sample(long nanos, Map<String, long[]> byCell) {}

  private final Deque<Sample> samples = new ConcurrentLinkedDeque<>();
  private final HttpClient http;
  private final int managementPort;
  private final BooleanSupplier running;

  RouterMetrics(HttpClient http, int managementPort, BooleanSupplier running) {
    this.http = http;
    this.managementPort = managementPort;
    this.running = running;
  }

  /** Samples every {@link #PERIOD} from now on, on a daemon thread of its own. */
  void start() {
    ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "unitcell-router-metrics");
              thread.setDaemon(true);
              return thread;
            });
    sampler.scheduleWithFixedDelay(this::sample, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sample() {
    if (!running.getAsBoolean()) {
      return;
    }
    try {
      samples.addLast(new Sample(System.nanoTime(), byCell(scrape())));
      while (samples.size() > KEPT) {
        samples.pollFirst();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the router is restarting or busy: no sample this time
    }
  }

  private String scrape() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static Map<String, long[]> byCell(String metrics) {
    Map<String, long[]> byCell = new TreeMap<>();
    metrics
        .lines()
        .map(RESPONSES::matcher)
        .filter(Matcher::matches)
        .forEach(
            m -> {
              Matcher cell = CELL_LABEL.matcher(m.group(1));
              Matcher code = CODE_LABEL.matcher(m.group(1));
              if (cell.find() && code.find()) {
                long count = (long) Double.parseDouble(m.group(2));
                long[] totals = byCell.computeIfAbsent(cell.group(1), c -> new long[2]);
                totals[0] += count;
                if (code.group(1).startsWith("5")) {
                  totals[1] += count;
                }
              }
            });
    return byCell;
  }

  /** 5xx answers of the router for {@code cell} over about the last minute, as text. */
  String recentErrors(String cell) {
    Sample last = samples.peekLast();
    if (last == null) {
      return "-";
    }
    Sample first =
        samples.stream()
            .filter(s -> last.nanos() - s.nanos() <= 61_000_000_000L)
            .findFirst()
            .orElse(last);
    long[] now = last.byCell().getOrDefault(cell, new long[2]);
    long[] then = first.byCell().getOrDefault(cell, new long[2]);
    long requests = now[0] - then[0];
    long errors = now[1] - then[1];
    return requests == 0
        ? "0 req"
        : String.format("%.1f%% of %d", 100.0 * errors / requests, requests);
  }
}

package io.unitcell.local;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./unitcell load}: traffic through the router as many users would send it — create (with an
 * Idempotency-Key, retried with the same key after a time-out, a broken connection, a 5xx or a
 * 429), read an order, list the user's orders, pay, cancel — at a steady rate, with a live progress
 * line and a final report (requests, errors by class, TP50/TP99/TP999, orders acknowledged). Every
 * acknowledged order ({@code orderId userId}) is written to a file for {@code ./unitcell verify}.
 */
final class LoadDriver {

  private static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*\"?(\\d+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(6);
  private static final int MAX_IN_FLIGHT = 256;
  private static final int CREATE_ATTEMPTS = 4;

  record Settings(int users, int rps, Duration duration, Path acked, String runId) {}

  private final Settings settings;
  private final String router;
  private final String jwtSecret;
  private final PrintStream out;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .executor(Executors.newFixedThreadPool(4))
          .build();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final Map<String, List<String>> ordersByUser = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> operations = new ConcurrentHashMap<>();
  private final LongAdder sent = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final AtomicLong keys = new AtomicLong();
  private final List<String> ackedLines = new CopyOnWriteArrayList<>();
  private final long[] window = new long[1 << 20];
  private final AtomicLong windowSize = new AtomicLong();

  LoadDriver(Settings settings, String router, String jwtSecret, PrintStream out) {
    this.settings = settings;
    this.router = router;
    this.jwtSecret = jwtSecret;
    this.out = out;
  }

  /** Runs the load; returns the report's exit code (0: ran, every failure is in the report). */
  int run() throws Exception {
    out.printf(
        "load: %d users, %d requests/s for %d s through %s (create 40%%, read 25%%, list 15%%,"
            + " pay 10%%, cancel 10%%)%n",
        settings.users(), settings.rps(), settings.duration().toSeconds(), router);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    long started = System.nanoTime();
    long end = started + settings.duration().toNanos();
    double perTick = settings.rps() / 100.0;
    double[] carry = {0};
    List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();
    ticker.scheduleAtFixedRate(
        () -> {
          if (System.nanoTime() >= end) {
            return;
          }
          carry[0] += perTick;
          int now = (int) carry[0];
          carry[0] -= now;
          for (int i = 0; i < now; i++) {
            if (!inFlight.tryAcquire()) {
              skipped
                  .increment(); // the system is slower than the offered rate: counted, not queued
              continue;
            }
            CompletableFuture<?> request = oneRequest().whenComplete((r, e) -> inFlight.release());
            pending.add(request);
            request.whenComplete((r, e) -> pending.remove(request));
          }
        },
        0,
        10,
        TimeUnit.MILLISECONDS);
    long lastPrint = 0;
    while (System.nanoTime() < end) {
      Thread.sleep(200);
      long elapsed = (System.nanoTime() - started) / 1_000_000_000L;
      // on a terminal one line redrawn every second; in a log a line every 10 s
      boolean terminal = System.console() != null;
      if (elapsed != lastPrint && (terminal || elapsed % 10 == 0)) {
        lastPrint = elapsed;
        out.printf(
            (terminal ? "\r" : "")
                + "  %3d/%d s  sent %d  ok %d  errors %d  retries %d  acked %d  p99 %s   "
                + (terminal ? "" : "%n"),
            elapsed,
            settings.duration().toSeconds(),
            sent.sum(),
            ok.sum(),
            errors.sum(),
            retries.sum(),
            ackedLines.size(),
            formatMillis(percentile(recentLatencies(), 0.99)));
      }
    }
    ticker.shutdown();
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .orTimeout(CREATE_ATTEMPTS * TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)
        .exceptionally(e -> null)
        .join();
    double seconds = (System.nanoTime() - started) / 1e9;
    Files.write(settings.acked(), ackedLines, StandardCharsets.UTF_8);
    report(seconds);
    return 0;
  }

  private CompletableFuture<Void> oneRequest() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String user = "user-" + random.nextInt(settings.users());
    List<String> orders = ordersByUser.getOrDefault(user, List.of());
    int dice = random.nextInt(100);
    if (orders.isEmpty() || dice < 40) {
      String body =
          "{\"currency\":\"CNY\",\"lines\":[{\"sku\":\"sku-"
              + random.nextInt(1000)
              + "\",\"quantity\":1,\"unitPriceCents\":"
              + (100 + random.nextInt(10_000))
              + "}]}";
      return create(user, settings.runId() + "-" + keys.incrementAndGet(), body, 1);
    }
    String order = orders.get(random.nextInt(orders.size()));
    if (dice < 65) {
      return send("read", user, get("/orders/" + order, user)).thenAccept(r -> {});
    }
    if (dice < 80) {
      return send("list", user, get("/users/" + user + "/orders", user)).thenAccept(r -> {});
    }
    String action = dice < 90 ? "pay" : "cancel";
    return send(action, user, post("/orders/" + order + "/" + action, user, "", null))
        .thenAccept(r -> {});
  }

  /**
   * Creates an order; retried with the same key and the same body (a different body under the same
   * key is refused with 422), so a retry can never make a second order.
   */
  private CompletableFuture<Void> create(String user, String key, String body, int attempt) {
    return send("create", user, post("/orders", user, body, key))
        .thenCompose(
            response -> {
              int code = response == null ? -1 : response.statusCode();
              if (code == 200 || code == 201) {
                Matcher m = ORDER_ID.matcher(response.body());
                if (m.find()) {
                  String id = m.group(1);
                  ordersByUser.compute(
                      user,
                      (u, list) -> {
                        List<String> next =
                            list == null ? new ArrayList<>() : new ArrayList<>(list);
                        if (!next.contains(id)) {
                          next.add(id);
                        }
                        return List.copyOf(next);
                      });
                  ackedLines.add(id + " " + user);
                }
                return CompletableFuture.completedFuture(null);
              }
              boolean retryable = code == -1 || code == 429 || code >= 500;
              if (retryable && attempt < CREATE_ATTEMPTS) {
                retries.increment();
                long backoff = 100L << (attempt - 1);
                return CompletableFuture.runAsync(
                        () -> {}, CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> create(user, key, body, attempt + 1));
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  private HttpRequest get(String path, String user) {
    return HttpRequest.newBuilder(URI.create(router + path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token(user))
        .GET()
        .build();
  }

  private HttpRequest post(String path, String user, String body, String idempotencyKey) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(router + path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token(user))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return request.build();
  }

  /** Sends one request; the future holds the response, or null after a transport failure. */
  private CompletableFuture<HttpResponse<String>> send(
      String op, String user, HttpRequest request) {
    sent.increment();
    operations.computeIfAbsent(op, k -> new LongAdder()).increment();
    long started = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, failure) -> {
              record(System.nanoTime() - started);
              String outcome;
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                outcome =
                    cause instanceof HttpTimeoutException
                        ? "timeout"
                        : cause instanceof IOException ? "connection failed" : cause.toString();
                errors.increment();
                count(op + " " + outcome);
                return null;
              }
              int code = response.statusCode();
              if (code < 400) {
                ok.increment();
                outcome = code + "";
              } else if (code == 409 && !op.equals("create")) {
                ok.increment(); // pay after cancel and the like: the order's rules said no
                outcome = "409 (state conflict, expected)";
              } else {
                errors.increment();
                outcome = code + "";
              }
              count(op + " " + outcome);
              return response;
            });
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  private void record(long nanos) {
    long index = windowSize.getAndIncrement();
    window[(int) (index & (window.length - 1))] = nanos;
  }

  private long[] recentLatencies() {
    long size = Math.min(windowSize.get(), window.length);
    long last = windowSize.get();
    int take = (int) Math.min(size, 2000);
    long[] recent = new long[take];
    for (int i = 0; i < take; i++) {
      recent[i] = window[(int) ((last - 1 - i) & (window.length - 1))];
    }
    return recent;
  }

  private void report(double seconds) {
    int size = (int) Math.min(windowSize.get(), window.length);
    long[] all = Arrays.copyOf(window, size);
    out.printf(
        "%n%nload report (%.0f s, %.0f requests/s achieved of %d offered)%n",
        seconds, sent.sum() / seconds, settings.rps());
    out.printf(
        "  requests %d: ok %d, errors %d; create retries %d; not sent (over %d in flight) %d%n",
        sent.sum(), ok.sum(), errors.sum(), retries.sum(), MAX_IN_FLIGHT, skipped.sum());
    out.printf(
        "  latency: TP50 %s  TP99 %s  TP999 %s  max %s%n",
        formatMillis(percentile(all, 0.50)),
        formatMillis(percentile(all, 0.99)),
        formatMillis(percentile(all, 0.999)),
        formatMillis(percentile(all, 1.0)));
    out.println("  by operation and outcome:");
    new TreeMap<>(outcomes).forEach((k, v) -> out.printf("    %-40s %d%n", k, v.sum()));
    out.printf(
        "  orders acknowledged: %d (written to %s; check them with ./unitcell verify %s)%n",
        ackedLines.size(), settings.acked(), settings.acked());
  }

  private String token(String user) {
    return tokens.computeIfAbsent(
        user,
        u -> {
          try {
            return Cli.jwt(jwtSecret, u, Duration.ofHours(2));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
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

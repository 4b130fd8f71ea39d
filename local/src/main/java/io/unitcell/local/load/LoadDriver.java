package io.unitcell.local.load;

import io.unitcell.local.acked.AckedOrders;
import io.unitcell.local.token.DevTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./unitcell load}: traffic through the router as many users would send it — create (with an
 * Idempotency-Key, retried with the same key after a time-out, a broken connection, a 5xx or a
 * 429), read an order, list the user's orders, pay, cancel — at a steady rate, with a live progress
 * line and a final report (requests, errors by class, TP50/TP99/TP999, orders acknowledged). Every
 * acknowledged order ({@code orderId userId}) is written to a file for {@code ./unitcell verify}.
 *
 * <p>With a flash sale ({@code --flash-sale SKU}), half of the creates' share are buys in the sale
 * instead: {@code POST /flash-sales/{sku}/orders} with an Idempotency-Key and {@code {}} (one
 * unit). {@code 202} (or {@code 200} for a retry of an accepted buy) acknowledges the order, which
 * is {@code PENDING} until the cell's pipeline has stored it; its line in the file is marked {@code
 * flash:<sku>} so that verify waits for it. {@code 409} sold out is a normal outcome, counted
 * apart; {@code 409} "in progress", {@code 429}, {@code 5xx} and transport failures are retried
 * with the same key and body, like creates; any other answer is an error.
 */
public final class LoadDriver {

  private static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*\"?(\\d+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(6);
  private static final int MAX_IN_FLIGHT = 256;
  private static final int CREATE_ATTEMPTS = 4;

  /**
   * @param flashSale the SKU of the flash sale to buy in, or null for none
   * @param userPrefix user ids are this and a number below {@code users}
   */
  public record Settings(
      int users,
      int rps,
      Duration duration,
      Path acked,
      String runId,
      String flashSale,
      String userPrefix) {

    /** The users of {@code ./unitcell load}: {@code user-0}, {@code user-1}, ... */
    public static final String USERS = "user-";

    public Settings(
        int users, int rps, Duration duration, Path acked, String runId, String flashSale) {
      this(users, rps, duration, acked, runId, flashSale, USERS);
    }
  }

  /** What one request does. */
  enum Op {
    CREATE,
    FLASH,
    READ,
    LIST,
    PAY,
    CANCEL
  }

  /** How one flash-sale buy attempt ended. */
  enum FlashAnswer {
    /** {@code 202}, or {@code 200} for a retry of an accepted buy, with the order id. */
    ACCEPTED,
    /** {@code 409} sold out: nothing bought, a normal outcome of a sale. */
    SOLD_OUT,
    /** Worth trying again with the same key: in progress, too busy, 5xx, no answer. */
    RETRY,
    /** Anything else (no such sale, refused body, misdirected, ...). */
    FAILED
  }

  /** A request's answer as the report counts it: its label and whether it counts as ok. */
  record Outcome(String label, boolean ok) {}

  private final Settings settings;
  private final String router;
  private final String jwtSecret;
  private final PrintStream out;
  private final Http1Client http;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final Map<String, List<String>> ordersByUser = new ConcurrentHashMap<>();
  private final AtomicLong keys = new AtomicLong();
  private final List<AckedOrders.Order> acked = new CopyOnWriteArrayList<>();
  private final LoadStats stats = new LoadStats();

  public LoadDriver(Settings settings, String router, String jwtSecret, PrintStream out) {
    this.settings = settings;
    this.router = router;
    URI base = URI.create(router);
    this.http = new Http1Client(base.getHost(), base.getPort(), Duration.ofSeconds(2));
    this.jwtSecret = jwtSecret;
    this.out = out;
  }

  /** Runs the load; returns the report's exit code (0: ran, every failure is in the report). */
  public int run() throws Exception {
    measure();
    return 0;
  }

  /** Runs the load, prints its report and returns what it measured. */
  public LoadSummary measure() throws Exception {
    out.printf(
        "load: %d users, %d requests/s for %d s through %s (%s)%n",
        settings.users(),
        settings.rps(),
        settings.duration().toSeconds(),
        router,
        mix(settings.flashSale()));
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
              // the system is slower than the offered rate: counted, not queued
              stats.skipped.increment();
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
        out.print(
            (terminal ? "\r" : "")
                + stats.progress(
                    elapsed, settings.duration().toSeconds(), acked.size(), settings.flashSale())
                + (terminal ? "" : "\n"));
      }
    }
    ticker.shutdown();
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .orTimeout(CREATE_ATTEMPTS * TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)
        .exceptionally(e -> null)
        .join();
    double seconds = (System.nanoTime() - started) / 1e9;
    AckedOrders.write(settings.acked(), acked);
    http.close();
    stats.report(
        out,
        seconds,
        settings.rps(),
        MAX_IN_FLIGHT,
        settings.flashSale(),
        acked.size(),
        settings.acked());
    return stats.summary(seconds, acked.size());
  }

  private CompletableFuture<Void> oneRequest() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String user = settings.userPrefix() + random.nextInt(settings.users());
    List<String> orders = ordersByUser.getOrDefault(user, List.of());
    Op op = pick(random.nextInt(100), !orders.isEmpty(), settings.flashSale() != null);
    if (op == Op.FLASH) {
      stats.flashBuys.increment();
      return flashBuy(user, settings.runId() + "-f" + keys.incrementAndGet(), 1);
    }
    if (op == Op.CREATE) {
      String body =
          "{\"currency\":\"CNY\",\"lines\":[{\"sku\":\"sku-"
              + random.nextInt(1000)
              + "\",\"quantity\":1,\"unitPriceCents\":"
              + (100 + random.nextInt(10_000))
              + "}]}";
      return create(user, settings.runId() + "-" + keys.incrementAndGet(), body, 1);
    }
    String order = orders.get(random.nextInt(orders.size()));
    if (op == Op.READ) {
      return send("read", user, get("/orders/" + order, user)).thenAccept(r -> {});
    }
    if (op == Op.LIST) {
      return send("list", user, get("/users/" + user + "/orders", user)).thenAccept(r -> {});
    }
    String action = op == Op.PAY ? "pay" : "cancel";
    return send(action, user, post("/orders/" + order + "/" + action, user, "", null))
        .thenAccept(r -> {});
  }

  /**
   * The mix, from {@code dice} (0-99): create 40 %, read 25 %, list 15 %, pay 10 %, cancel 10 %;
   * with a flash sale, buys in it take half of the creates' share (create 20 %, flash 20 %). A user
   * without an order yet creates one instead of reading, listing, paying or cancelling.
   */
  static Op pick(int dice, boolean userHasOrders, boolean flashSale) {
    if (flashSale && dice >= 20 && dice < 40) {
      return Op.FLASH;
    }
    if (!userHasOrders || dice < 40) {
      return Op.CREATE;
    }
    if (dice < 65) {
      return Op.READ;
    }
    if (dice < 80) {
      return Op.LIST;
    }
    return dice < 90 ? Op.PAY : Op.CANCEL;
  }

  /** The mix as the first line of the run names it. */
  static String mix(String flashSale) {
    return flashSale == null
        ? "create 40%, read 25%, list 15%, pay 10%, cancel 10%"
        : "create 20%, flash-sale buy of "
            + flashSale
            + " 20%, read 25%, list 15%, pay 10%,"
            + " cancel 10%";
  }

  /**
   * Buys one unit in the flash sale; retried like a create, with the same key and body. An accepted
   * buy is acknowledged (marked {@code flash:<sku>} in the file); it is not paid or cancelled
   * later, since it may still be {@code PENDING}.
   */
  private CompletableFuture<Void> flashBuy(String user, String key, int attempt) {
    String path = "/flash-sales/" + settings.flashSale() + "/orders";
    return send("flash", user, post(path, user, "{}", key))
        .thenCompose(
            response -> {
              int code = response == null ? -1 : response.status();
              String body = response == null ? "" : response.body();
              switch (classifyFlash(code, body)) {
                case ACCEPTED -> {
                  Matcher m = ORDER_ID.matcher(body);
                  m.find();
                  acked.add(AckedOrders.Order.flashSale(m.group(1), user, settings.flashSale()));
                  stats.flashAcked.increment();
                }
                case SOLD_OUT -> stats.flashSoldOut.increment();
                case RETRY -> {
                  if (attempt < CREATE_ATTEMPTS) {
                    stats.flashRetries.increment();
                    // "in progress" says Retry-After: 1; the rest back off as creates do
                    long backoff = code == 409 ? 1000 : 100L << (attempt - 1);
                    return CompletableFuture.runAsync(
                            () -> {},
                            CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS))
                        .thenCompose(x -> flashBuy(user, key, attempt + 1));
                  }
                  stats.flashFailed.increment();
                }
                case FAILED -> stats.flashFailed.increment();
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  /** How a flash-sale buy attempt that got {@code code} (-1: no answer) and {@code body} ended. */
  static FlashAnswer classifyFlash(int code, String body) {
    if (code == 200 || code == 202) {
      return ORDER_ID.matcher(body).find() ? FlashAnswer.ACCEPTED : FlashAnswer.FAILED;
    }
    if (code == 409) {
      return soldOut(body)
          ? FlashAnswer.SOLD_OUT
          : inProgress(body) ? FlashAnswer.RETRY : FlashAnswer.FAILED;
    }
    if (code == -1 || code == 429 || code >= 500) {
      return FlashAnswer.RETRY;
    }
    return FlashAnswer.FAILED;
  }

  private static boolean soldOut(String body) {
    return body.contains("sold out");
  }

  private static boolean inProgress(String body) {
    return body.contains("in progress");
  }

  /**
   * How the report counts an answer of {@code op}: below 400 ok; a {@code 409} of pay or cancel is
   * the order's rules saying no (ok); a flash-sale {@code 409} sold out is ok, its "in progress" is
   * an error of that attempt (it is retried); every other 4xx and 5xx is an error.
   */
  static Outcome outcome(String op, int code, String body) {
    if (code < 400) {
      return new Outcome(code + "", true);
    }
    if (code == 409 && op.equals("flash")) {
      if (soldOut(body)) {
        return new Outcome("409 sold out", true);
      }
      return new Outcome(inProgress(body) ? "409 in progress" : "409", false);
    }
    if (code == 409 && !op.equals("create")) {
      return new Outcome("409 (state conflict, expected)", true);
    }
    return new Outcome(code + "", false);
  }

  /**
   * Creates an order; retried with the same key and the same body (a different body under the same
   * key is refused with 422), so a retry can never make a second order.
   */
  private CompletableFuture<Void> create(String user, String key, String body, int attempt) {
    return send("create", user, post("/orders", user, body, key))
        .thenCompose(
            response -> {
              int code = response == null ? -1 : response.status();
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
                  acked.add(AckedOrders.Order.ordinary(id, user));
                }
                return CompletableFuture.completedFuture(null);
              }
              boolean retryable = code == -1 || code == 429 || code >= 500;
              if (retryable && attempt < CREATE_ATTEMPTS) {
                stats.retries.increment();
                // as a well-behaved client: no sooner than the server's Retry-After (a busy
                // cell's 503 says 1 s); retrying busy cells at once only makes them busier
                long backoff =
                    Math.max(
                        100L << (attempt - 1),
                        response == null ? 0 : response.retryAfterSeconds() * 1000L);
                return CompletableFuture.runAsync(
                        () -> {}, CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> create(user, key, body, attempt + 1));
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  /** A request: method, path, headers and body (null for none). */
  private record Request(String method, String path, Map<String, String> headers, String body) {}

  private Request get(String path, String user) {
    return new Request("GET", path, Map.of("Authorization", "Bearer " + token(user)), null);
  }

  private Request post(String path, String user, String body, String idempotencyKey) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer " + token(user));
    headers.put("Content-Type", "application/json");
    if (idempotencyKey != null) {
      headers.put("Idempotency-Key", idempotencyKey);
    }
    return new Request("POST", path, headers, body);
  }

  /** Sends one request; the future holds the response, or null after a transport failure. */
  private CompletableFuture<Http1Client.Response> send(String op, String user, Request request) {
    stats.sent.increment();
    long started = System.nanoTime();
    return http.send(request.method(), request.path(), request.headers(), request.body(), TIMEOUT)
        .handle(
            (response, failure) -> {
              stats.latency(System.nanoTime() - started);
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                stats.count(
                    op,
                    cause instanceof Http1Client.TimeoutException
                        ? "timeout"
                        : cause instanceof IOException ? "connection failed" : cause.toString(),
                    false);
                return null;
              }
              Outcome answer = outcome(op, response.status(), response.body());
              stats.count(op, answer.label(), answer.ok());
              return response;
            });
  }

  private String token(String user) {
    return tokens.computeIfAbsent(user, u -> DevTokens.jwt(jwtSecret, u, Duration.ofHours(2)));
  }
}

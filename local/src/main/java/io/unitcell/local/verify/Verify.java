package io.unitcell.local.verify;

import io.unitcell.local.acked.AckedOrders;
import io.unitcell.local.flashsale.FlashSales;
import io.unitcell.local.state.LocalState;
import io.unitcell.local.token.DevTokens;
import io.unitcell.topology.RoutingTable;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * {@code ./unitcell verify ACKED_FILE}: every acknowledged order exists exactly once — readable
 * through the router by its user, stored in exactly one cell's keyspace, and that keyspace is the
 * one of the user's home cell — and every user's orders live in one cell only. Prints the counts;
 * the exit code is 0 only when all of it holds.
 *
 * <p>Flash-sale orders (lines marked {@code flash:<sku>}) were acknowledged when they entered their
 * cell's pipeline, which stores them at a bounded rate: verify first waits until every one of them
 * is in the database, with a progress line, and gives up when none was stored for a while (then
 * they count as missing). It also checks that no cell stored more units of a flash-sale SKU than
 * the stock opened there ({@link FlashSales.Ledger}), counting every stored flash-sale order, not
 * only the acknowledged ones.
 */
public final class Verify {

  /** How long verify waits for flash-sale orders when none of them gets stored. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

  private static final Duration POLL = Duration.ofSeconds(2);

  private final LocalState state;
  private final Map<String, String> keyspaces;
  private final String vtgateUrl;
  private final String router;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

  /** Waits between polls; tests pass one that only moves their clock. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param keyspaces cell → its keyspace
   * @param vtgateUrl a Connector/J URL prefix of vtgate, ending where the database name goes
   */
  public Verify(
      LocalState state,
      Map<String, String> keyspaces,
      String vtgateUrl,
      String router,
      PrintStream out) {
    this.state = state;
    this.keyspaces = keyspaces;
    this.vtgateUrl = vtgateUrl;
    this.router = router;
    this.out = out;
  }

  /**
   * @param wait how long to go on waiting for acknowledged flash-sale orders while none of them is
   *     stored
   */
  public int run(Path ackedFile, Duration wait) throws Exception {
    RoutingTable table = RoutingTable.fromJson(Files.readString(state.tableFile()));
    AckedOrders.Contents file;
    try {
      file = AckedOrders.read(ackedFile);
    } catch (IllegalArgumentException e) {
      out.println("verify: " + ackedFile + ": " + e.getMessage());
      out.println("verify: FAIL");
      return 1;
    }
    Map<String, String> acked = file.users();
    Map<String, String> flash = file.flashSkus();
    out.printf(
        "verify: %d acknowledged orders in %s%s%n",
        acked.size(),
        ackedFile,
        flash.isEmpty() ? "" : " (" + flash.size() + " of them flash-sale)");

    StoredOrders.Stored[] stored = {StoredOrders.scan(keyspaces, vtgateUrl)};
    if (!flash.isEmpty()) {
      long started = System.nanoTime();
      boolean[] first = {true};
      Set<String> notStored =
          awaitStored(
              () -> {
                if (!first[0]) {
                  stored[0] = StoredOrders.scan(keyspaces, vtgateUrl);
                }
                first[0] = false;
                Set<String> missing = new TreeSet<>(flash.keySet());
                missing.removeAll(stored[0].cellsOfOrder().keySet());
                return missing;
              },
              flash.size(),
              wait,
              POLL,
              System::nanoTime,
              d -> Thread.sleep(d.toMillis()),
              out);
      out.printf(
          "  flash-sale orders in the database: %d of %d (after %.0f s)%n",
          flash.size() - notStored.size(), flash.size(), (System.nanoTime() - started) / 1e9);
    }
    Map<String, List<String>> where = stored[0].cellsOfOrder();
    Map<String, Set<String>> cellsOfUser = stored[0].cellsOfUser();

    int missing = 0;
    int duplicated = 0;
    int wrongCell = 0;
    int unreadable = 0;
    int pending = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<String, String> order : acked.entrySet()) {
      String id = order.getKey();
      String user = order.getValue();
      List<String> cells = where.getOrDefault(id, List.of());
      String home = table.cellOfUser(user);
      String kind = flash.containsKey(id) ? "flash-sale order " : "order ";
      if (cells.isEmpty()) {
        missing++;
        example(examples, kind + id + " of " + user + " is in no keyspace");
      } else if (cells.size() > 1) {
        duplicated++;
        example(examples, kind + id + " is stored " + cells.size() + " times: " + cells);
      } else if (!cells.get(0).equals(home)) {
        wrongCell++;
        example(examples, kind + id + " of " + user + " is in " + cells + ", home " + home);
      }
      HttpResponse<String> read = readThroughRouter(id, user, !cells.isEmpty());
      if (read.statusCode() != 200 || !read.body().contains("\"userId\":\"" + user + "\"")) {
        unreadable++;
        example(examples, "GET /orders/" + id + " as " + user + ": " + read.statusCode());
      } else if (isPending(read)) {
        pending++;
        example(examples, "GET /orders/" + id + " as " + user + ": still PENDING");
      }
    }
    long movedUsers = cellsOfUser.values().stream().filter(cells -> cells.size() > 1).count();
    out.printf(
        "  stored exactly once: %d; missing: %d; stored twice or more: %d; outside the user's"
            + " home cell: %d%n",
        acked.size() - missing - duplicated, missing, duplicated, wrongCell);
    out.printf(
        "  readable through the router by their user: %d; not: %d%s%n",
        acked.size() - unreadable - pending,
        unreadable,
        flash.isEmpty() ? "" : "; still PENDING: " + pending);
    out.printf(
        "  users with orders: %d; users whose orders are in more than one cell: %d%n",
        cellsOfUser.size(), movedUsers);
    long usersOnSeveralShards = stored[0].usersOnSeveralShards();
    out.printf(
        "  order rows per shard: %s; users whose orders are on more than one shard: %d%n",
        String.join(
            ", ",
            stored[0].rowsPerShard().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .toList()),
        usersOnSeveralShards);
    if (file.duplicateLines() > 0) {
      out.printf("  the file names %d orders more than once (ignored)%n", file.duplicateLines());
    }
    int oversold =
        checkFlashStock(
            FlashSales.Ledger.read(state.flashSalesFile()),
            stored[0].flashUnits(),
            new TreeSet<>(flash.values()),
            examples);
    examples.forEach(e -> out.println("  e.g. " + e));
    boolean pass =
        missing == 0
            && duplicated == 0
            && wrongCell == 0
            && unreadable == 0
            && pending == 0
            && movedUsers == 0
            && usersOnSeveralShards == 0
            && oversold == 0;
    out.println(pass ? "verify: PASS" : "verify: FAIL");
    return pass ? 0 : 1;
  }

  /**
   * Asks {@code missing} (the acknowledged flash-sale orders not in the database yet) every {@code
   * poll} until it is empty, or until it has not shrunk for {@code patience}; prints a progress
   * line when the number changes (at most every 5 s) and every 10 s. Returns the last answer.
   */
  static Set<String> awaitStored(
      Callable<Set<String>> missing,
      int total,
      Duration patience,
      Duration poll,
      LongSupplier nanos,
      Sleeper sleeper,
      PrintStream out)
      throws Exception {
    Set<String> left = missing.call();
    if (left.isEmpty()) {
      return left;
    }
    long started = nanos.getAsLong();
    long lastProgress = started;
    long lastPrint = started;
    int printed = left.size();
    out.printf(
        "  flash-sale orders not in the database yet: %d of %d (still in the cells' pipelines);"
            + " waiting until none is stored for %d s%n",
        left.size(), total, patience.toSeconds());
    while (true) {
      sleeper.sleep(poll);
      Set<String> now = missing.call();
      long at = nanos.getAsLong();
      if (now.size() < left.size()) {
        lastProgress = at;
      }
      left = now;
      if (left.isEmpty()) {
        return left;
      }
      boolean changed = left.size() != printed;
      if ((changed && at - lastPrint >= 5_000_000_000L) || at - lastPrint >= 10_000_000_000L) {
        out.printf(
            "  %4d s  flash-sale orders not in the database yet: %d of %d%n",
            (at - started) / 1_000_000_000L, left.size(), total);
        lastPrint = at;
        printed = left.size();
      }
      if (at - lastProgress >= patience.toNanos()) {
        out.printf(
            "  gave up waiting: none stored for %d s; %d acknowledged flash-sale orders are not in"
                + " the database%n",
            patience.toSeconds(), left.size());
        return left;
      }
    }
  }

  /**
   * Compares, per flash-sale SKU and cell, the units of the stored flash-sale orders with the stock
   * opened there, and prints a line per SKU. A SKU sold or acknowledged without any record of its
   * opening cannot be checked and counts as a failure.
   *
   * @param acknowledgedSkus the SKUs of the file's flash-sale orders
   * @return cells that sold more than they had, plus SKUs that could not be checked
   */
  int checkFlashStock(
      FlashSales.Ledger ledger,
      Map<String, Map<String, Long>> units,
      Set<String> acknowledgedSkus,
      List<String> examples) {
    Set<String> skus = new TreeSet<>(units.keySet());
    skus.addAll(acknowledgedSkus);
    int failures = 0;
    for (String sku : skus) {
      Map<String, Long> sold = units.getOrDefault(sku, Map.of());
      var opened = ledger.of(sku);
      if (opened.isEmpty()) {
        failures++;
        out.printf(
            "  flash sale %s: %d units stored, but %s has no record of its stock: not checked%n",
            sku, sold.values().stream().mapToLong(Long::longValue).sum(), state.flashSalesFile());
        continue;
      }
      Map<String, String> shown = new LinkedHashMap<>();
      int oversold = 0;
      for (String cell : keyspaces.keySet()) {
        long storedUnits = sold.getOrDefault(cell, 0L);
        long stock = opened.get().getOrDefault(cell, 0L);
        shown.put(cell, storedUnits + " of " + stock);
        if (storedUnits > stock) {
          oversold++;
          example(
              examples,
              "flash sale " + sku + ": " + cell + " stored " + storedUnits + " units of " + stock);
        }
      }
      failures += oversold;
      out.printf(
          "  flash sale %s: units stored of the stock opened, per cell: %s; oversold cells: %d%n",
          sku,
          String.join(
              ", ", shown.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()),
          oversold);
    }
    return failures;
  }

  /**
   * {@code GET /orders/{id}} as its user; a 5xx or a time-out is tried again (up to 5 times over
   * about 6 s): "readable" means the order can be read, not that every single try succeeded. An
   * order still answered {@code PENDING} although it is {@code stored} (it leaves the pipeline just
   * after) is read again for up to about 5 s.
   */
  private HttpResponse<String> readThroughRouter(String id, String user, boolean stored)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(router + "/orders/" + id))
            .header(
                "Authorization",
                "Bearer " + DevTokens.jwt(state.jwtSecret(), user, Duration.ofMinutes(10)))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> read = send(request);
    for (int again = 0; stored && again < 10 && isPending(read); again++) {
      Thread.sleep(500);
      read = send(request);
    }
    return read;
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<String> read = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (read.statusCode() < 500 || attempt == 5) {
          return read;
        }
      } catch (java.io.IOException e) {
        if (attempt == 5) {
          throw e;
        }
      }
      Thread.sleep(400L * attempt);
    }
  }

  private static boolean isPending(HttpResponse<String> read) {
    return read.statusCode() == 200 && read.body().contains("\"status\":\"PENDING\"");
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < 10) {
      examples.add(text);
    }
  }
}

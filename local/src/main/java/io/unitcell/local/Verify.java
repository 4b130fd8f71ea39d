package io.unitcell.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
final class Verify {

  /** How long verify waits for flash-sale orders when none of them gets stored. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

  private static final Duration POLL = Duration.ofSeconds(2);
  private static final String FLASH_MARK = "flash:";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalState state;
  private final Map<String, String> keyspaces;
  private final String vtgateUrl;
  private final String router;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * The acknowledged orders of a file.
   *
   * @param users order id → its user
   * @param flashSkus order id → the SKU, for the flash-sale orders
   * @param duplicateLines lines naming an order a line before already named
   */
  record Acked(Map<String, String> users, Map<String, String> flashSkus, int duplicateLines) {

    /**
     * Parses lines {@code orderId userId [flash:<sku>]}; blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the first line that is not of that form
     */
    static Acked parse(List<String> lines) {
      Map<String, String> users = new TreeMap<>();
      Map<String, String> flashSkus = new TreeMap<>();
      int duplicates = 0;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).trim();
        if (line.isEmpty()) {
          continue;
        }
        String[] parts = line.split("\\s+");
        boolean flash = parts.length == 3 && parts[2].startsWith(FLASH_MARK);
        if ((parts.length != 2 && !flash)
            || !parts[0].matches("\\d{1,19}")
            || (flash && parts[2].length() == FLASH_MARK.length())) {
          throw new IllegalArgumentException(
              "line "
                  + (i + 1)
                  + " is not 'ORDER_ID USER' or 'ORDER_ID USER flash:SKU': "
                  + lines.get(i));
        }
        if (users.put(parts[0], parts[1]) != null) {
          duplicates++;
        }
        if (flash) {
          flashSkus.put(parts[0], parts[2].substring(FLASH_MARK.length()));
        }
      }
      return new Acked(users, flashSkus, duplicates);
    }
  }

  /**
   * What the keyspaces hold.
   *
   * @param cellsOfOrder order id → the cells storing it (orders or history)
   * @param cellsOfUser user → the cells storing orders of the user
   * @param flashUnits SKU → cell → units of the stored flash-sale orders
   */
  record Stored(
      Map<String, List<String>> cellsOfOrder,
      Map<String, Set<String>> cellsOfUser,
      Map<String, Map<String, Long>> flashUnits) {}

  /** Waits between polls; tests pass one that only moves their clock. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param keyspaces cell → its keyspace
   * @param vtgateUrl a Connector/J URL prefix of vtgate, ending where the database name goes
   */
  Verify(
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
  int run(Path ackedFile, Duration wait) throws Exception {
    RoutingTable table = RoutingTable.fromJson(Files.readString(state.tableFile()));
    Acked file;
    try {
      file = Acked.parse(Files.readAllLines(ackedFile, StandardCharsets.UTF_8));
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

    Stored[] stored = {scan()};
    if (!flash.isEmpty()) {
      long started = System.nanoTime();
      boolean[] first = {true};
      Set<String> notStored =
          awaitStored(
              () -> {
                if (!first[0]) {
                  stored[0] = scan();
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

  /** Every cell's orders (and history), users, and units of flash-sale orders, through vtgate. */
  private Stored scan() throws SQLException {
    Map<String, List<String>> cellsOfOrder = new HashMap<>();
    Map<String, Set<String>> cellsOfUser = new HashMap<>();
    Map<String, Map<String, Long>> flashUnits = new TreeMap<>();
    for (Map.Entry<String, String> cell : keyspaces.entrySet()) {
      try (Connection db =
              DriverManager.getConnection(vtgateUrl.replace("{keyspace}", cell.getValue()));
          Statement query = db.createStatement()) {
        // a flash-sale order is stored with the idempotency row flash:<order id>
        Set<String> flashIds = new HashSet<>();
        try (ResultSet rs =
            query.executeQuery(
                "SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key LIKE '"
                    + FLASH_MARK
                    + "%'")) {
          while (rs.next()) {
            flashIds.add(rs.getString(1).substring(FLASH_MARK.length()));
          }
        }
        for (String tableName : List.of("orders", "orders_history")) {
          try (ResultSet rs =
              query.executeQuery("SELECT order_id, user_id, lines_json FROM " + tableName)) {
            while (rs.next()) {
              String id = rs.getString(1);
              cellsOfOrder.computeIfAbsent(id, k -> new ArrayList<>()).add(cell.getKey());
              cellsOfUser.computeIfAbsent(rs.getString(2), k -> new HashSet<>()).add(cell.getKey());
              if (flashIds.contains(id)) {
                addUnits(flashUnits, cell.getKey(), id, rs.getString(3));
              }
            }
          }
        }
      }
    }
    return new Stored(cellsOfOrder, cellsOfUser, flashUnits);
  }

  private static void addUnits(
      Map<String, Map<String, Long>> flashUnits, String cell, String id, String linesJson) {
    JsonNode lines;
    try {
      lines = JSON.readTree(linesJson);
    } catch (IOException e) {
      throw new IllegalStateException("order " + id + " has unreadable lines: " + linesJson, e);
    }
    for (JsonNode line : lines) {
      flashUnits
          .computeIfAbsent(line.path("sku").asText(), s -> new TreeMap<>())
          .merge(cell, line.path("quantity").asLong(), Long::sum);
    }
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
                "Bearer " + Cli.jwt(state.jwtSecret(), user, Duration.ofMinutes(10)))
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

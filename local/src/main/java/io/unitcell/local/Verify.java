package io.unitcell.local;

import io.unitcell.topology.RoutingTable;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code ./unitcell verify ACKED_FILE}: every acknowledged order exists exactly once — readable
 * through the router by its user, stored in exactly one cell's keyspace, and that keyspace is the
 * one of the user's home cell — and every user's orders live in one cell only. Prints the counts;
 * the exit code is 0 only when all of it holds.
 */
final class Verify {

  private final LocalState state;
  private final Map<String, String> keyspaces;
  private final String vtgateUrl;
  private final String router;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

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

  int run(Path ackedFile) throws Exception {
    RoutingTable table = RoutingTable.fromJson(Files.readString(state.tableFile()));
    Map<String, String> acked = new TreeMap<>();
    int duplicateLines = 0;
    for (String line : Files.readAllLines(ackedFile, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.trim().split("\\s+");
      if (acked.put(parts[0], parts[1]) != null) {
        duplicateLines++;
      }
    }
    out.printf("verify: %d acknowledged orders in %s%n", acked.size(), ackedFile);

    // where every order is stored: order id -> the keyspaces holding it (orders or history)
    Map<String, List<String>> stored = new HashMap<>();
    Map<String, Set<String>> cellsOfUser = new HashMap<>();
    for (Map.Entry<String, String> cell : keyspaces.entrySet()) {
      try (Connection db =
              DriverManager.getConnection(vtgateUrl.replace("{keyspace}", cell.getValue()));
          Statement query = db.createStatement()) {
        for (String tableName : List.of("orders", "orders_history")) {
          try (ResultSet rs = query.executeQuery("SELECT order_id, user_id FROM " + tableName)) {
            while (rs.next()) {
              stored.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(cell.getKey());
              cellsOfUser.computeIfAbsent(rs.getString(2), k -> new HashSet<>()).add(cell.getKey());
            }
          }
        }
      }
    }
    int missing = 0;
    int duplicated = 0;
    int wrongCell = 0;
    int unreadable = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<String, String> order : acked.entrySet()) {
      String id = order.getKey();
      String user = order.getValue();
      List<String> where = stored.getOrDefault(id, List.of());
      String home = table.cellOfUser(user);
      if (where.isEmpty()) {
        missing++;
        example(examples, "order " + id + " of " + user + " is in no keyspace");
      } else if (where.size() > 1) {
        duplicated++;
        example(examples, "order " + id + " is stored " + where.size() + " times: " + where);
      } else if (!where.get(0).equals(home)) {
        wrongCell++;
        example(examples, "order " + id + " of " + user + " is in " + where + ", home " + home);
      }
      HttpResponse<String> read = readThroughRouter(id, user);
      if (read.statusCode() != 200 || !read.body().contains("\"userId\":\"" + user + "\"")) {
        unreadable++;
        example(examples, "GET /orders/" + id + " as " + user + ": " + read.statusCode());
      }
    }
    long movedUsers = cellsOfUser.values().stream().filter(cells -> cells.size() > 1).count();
    out.printf(
        "  stored exactly once: %d; missing: %d; stored twice or more: %d; outside the user's"
            + " home cell: %d%n",
        acked.size() - missing - duplicated, missing, duplicated, wrongCell);
    out.printf(
        "  readable through the router by their user: %d; not: %d%n",
        acked.size() - unreadable, unreadable);
    out.printf(
        "  users with orders: %d; users whose orders are in more than one cell: %d%n",
        cellsOfUser.size(), movedUsers);
    if (duplicateLines > 0) {
      out.printf("  the file names %d orders more than once (ignored)%n", duplicateLines);
    }
    examples.forEach(e -> out.println("  e.g. " + e));
    boolean pass =
        missing == 0 && duplicated == 0 && wrongCell == 0 && unreadable == 0 && movedUsers == 0;
    out.println(pass ? "verify: PASS" : "verify: FAIL");
    return pass ? 0 : 1;
  }

  /**
   * {@code GET /orders/{id}} as its user; a 5xx or a time-out is tried again (up to 5 times over
   * about 6 s): "readable" means the order can be read, not that every single try succeeded.
   */
  private HttpResponse<String> readThroughRouter(String id, String user) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(router + "/orders/" + id))
            .header(
                "Authorization",
                "Bearer " + Cli.jwt(state.jwtSecret(), user, Duration.ofMinutes(10)))
            .timeout(Duration.ofSeconds(10))
            .build();
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

  private static void example(List<String> examples, String text) {
    if (examples.size() < 10) {
      examples.add(text);
    }
  }
}

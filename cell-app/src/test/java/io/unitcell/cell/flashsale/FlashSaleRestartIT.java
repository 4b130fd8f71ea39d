package io.unitcell.cell.flashsale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.api.VitessCellResource;
import io.unitcell.infra.app.CellAppProcess;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.testbed.TestbedLogs;
import io.unitcell.testbed.vitess.VitessTestbed;
import io.unitcell.topology.CellRoute;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing accepted is lost across crashes: 200 buyers take 50 units from the packaged cell-app
 * running as its own process; the process is killed (SIGKILL) while its workers are still storing
 * the accepted orders, the cache server restarts too while the cell is down, and a new instance
 * stores the rest — exactly the 50 orders the buyers were given, each once.
 */
class FlashSaleRestartIT {

  private static final String SECRET = "restart-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static VitessTestbed vitess;
  private static InfinispanServer infinispan;
  private static Path runDir;
  private static Map<String, String> env;

  @BeforeAll
  static void start() throws IOException {
    vitess =
        VitessTestbed.builder()
            .keyspace("orders")
            .schema(VitessCellResource.resource("/db/schema.sql"))
            .vschema(VitessCellResource.resource("/db/vschema.json"))
            .start();
    runDir = TestbedLogs.newRunDirectory("flash-sale-restart");
    infinispan = InfinispanServer.start(runDir.resolve("infinispan"));
    Path table = runDir.resolve("routing-table.json");
    Files.writeString(
        table, VitessCellResource.table(1, CellRoute.serving("zone-a", "127.0.0.1:8081")).toJson());
    env = new HashMap<>();
    // the same generous budgets as the in-JVM tests (see VitessCellResource), as environment
    VitessCellResource.GENEROUS_BUDGETS.forEach(
        (key, value) -> env.put(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value));
    env.put("UNITCELL_DB_URL", vitess.jdbcUrl());
    env.put("UNITCELL_CELL", "cell-1");
    env.put("UNITCELL_ROUTING_TABLE", table.toString());
    env.put("UNITCELL_ROUTER_SECRET", SECRET);
    env.put("UNITCELL_CACHE_HOSTS", infinispan.hosts());
    // slow enough that the crash comes in the middle of storing the 50
    env.put("UNITCELL_FLASH_SALE_RATE", "4");
  }

  @AfterAll
  static void stop() {
    if (infinispan != null) {
      infinispan.close();
    }
    if (vitess != null) {
      vitess.close();
    }
  }

  @Test
  void acceptedOrdersSurviveACrashOfTheCellAndARestartOfTheCache() throws Exception {
    Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
    Map<String, String> accepted = new TreeMap<>(); // user -> order id
    try (CellAppProcess first = CellAppProcess.start("cell-app-1", jar, env, runDir)) {
      assertThat(
              send(
                      first,
                      "PUT",
                      "/admin/flash-sales/sku-crash",
                      null,
                      null,
                      "{\"stock\": 50, \"unitPriceCents\": 100, \"currency\": \"CNY\"}")
                  .statusCode())
          .isEqualTo(200);
      Map<Integer, Integer> byStatus = new TreeMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(50);
      try {
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          String user = "crash-" + i;
          answers.add(pool.submit(() -> buyUntilSettled(first, user)));
        }
        for (int i = 0; i < 200; i++) {
          HttpResponse<String> answer = answers.get(i).get();
          byStatus.merge(answer.statusCode(), 1, Integer::sum);
          if (answer.statusCode() == 202 || answer.statusCode() == 200) {
            accepted.put("crash-" + i, JSON.readTree(answer.body()).get("orderId").asText());
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(accepted).hasSize(50);
      assertThat(byStatus.getOrDefault(409, 0)).as("sold out").isEqualTo(150);

      await().atMost(Duration.ofSeconds(60)).until(() -> stored().size() >= 3);
      first.kill();
    }
    int storedAtCrash = stored().size();
    assertThat(storedAtCrash).as("the crash came while orders were being stored").isLessThan(50);

    // the cache server restarts as well: the pipeline is on its disk
    infinispan.restart();

    try (CellAppProcess second = CellAppProcess.start("cell-app-2", jar, env, runDir)) {
      Set<String> expected = new HashSet<>();
      accepted.forEach((user, id) -> expected.add(id + "/" + user));
      await().atMost(Duration.ofSeconds(90)).until(() -> stored().size() == 50);
      assertThat(stored()).isEqualTo(expected);
      for (Map.Entry<String, String> order : accepted.entrySet()) {
        HttpResponse<String> answer =
            send(second, "GET", "/orders/" + order.getValue(), order.getKey(), null, null);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("status").asText()).isEqualTo("CREATED");
      }
    }
  }

  /** Buys one unit, retrying with the same key on 503 or "in progress", as clients should. */
  private static HttpResponse<String> buyUntilSettled(CellAppProcess app, String user)
      throws Exception {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> answer =
          send(app, "POST", "/flash-sales/sku-crash/orders", user, "once", "{}");
      boolean retry =
          answer.statusCode() == 503
              || (answer.statusCode() == 409 && answer.body().contains("in progress"));
      if (!retry || attempt == 60) {
        return answer;
      }
      Thread.sleep(250);
    }
  }

  /** {@code orderId/userId} of every stored order of the buyers, each exactly once. */
  private static Set<String> stored() throws Exception {
    try (Connection db = DriverManager.getConnection(vitess.jdbcUrl());
        var query =
            db.prepareStatement("SELECT order_id, user_id FROM orders WHERE user_id LIKE ?")) {
      query.setString(1, "crash-%");
      Set<String> rows = new HashSet<>();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          assertThat(rows.add(rs.getLong(1) + "/" + rs.getString(2))).isTrue();
        }
      }
      return rows;
    }
  }

  private static HttpResponse<String> send(
      CellAppProcess app, String method, String path, String user, String key, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(app.uri(path))
            .timeout(Duration.ofSeconds(10))
            .header("X-Unitcell-Router-Secret", SECRET)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (user != null) {
      request.header("X-User-Id", user);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}

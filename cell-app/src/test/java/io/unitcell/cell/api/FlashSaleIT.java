package io.unitcell.cell.api;

import static io.unitcell.cell.api.CacheIT.switchTo;
import static io.unitcell.cell.api.OrderApiIT.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The flash-sale path against the real Infinispan and Vitess. */
@QuarkusTest
@QuarkusTestResource(VitessCellResource.class)
class FlashSaleIT {

  @BeforeEach
  void cacheIsUp() {
    CacheIT.awaitCacheAvailable();
  }

  static void openSale(String sku, long stock, int subKeys) {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"stock\": %d, \"unitPriceCents\": 990, \"currency\": \"CNY\", \"maxQuantity\": 2,"
                    .formatted(stock)
                + " \"subKeys\": %d}".formatted(subKeys))
        .put("/admin/flash-sales/" + sku)
        .then()
        .statusCode(200)
        .body("remaining", equalTo((int) stock));
  }

  static Response buy(String user, String sku, String key, String body) {
    var request =
        given()
            .header("X-User-Id", user)
            .contentType(ContentType.JSON)
            .body(body == null ? "{}" : body);
    if (key != null) {
      request = request.header("Idempotency-Key", key);
    }
    return request.post("/flash-sales/" + sku + "/orders");
  }

  /**
   * Buys as a well-behaved client does: a {@code 503} or a request still in progress is retried
   * with the same key after a moment (the answer says {@code Retry-After}).
   */
  static Response buyUntilSettled(String user, String sku, String key) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      Response answer = buy(user, sku, key, null);
      boolean retry =
          answer.statusCode() == 503
              || (answer.statusCode() == 409
                  && answer.<String>path("error").contains("in progress"));
      if (!retry || attempt == 60) {
        return answer;
      }
      Thread.sleep(250);
    }
  }

  static String status(String user, String id) {
    return given().header("X-User-Id", user).get("/orders/" + id).then().extract().path("status");
  }

  @Test
  void anAcceptedOrderIsPendingUntilTheWorkerStoresIt() {
    openSale("sku-pending", 3, 2);
    switchTo("pipeline", false);
    String id;
    try {
      Response accepted = buy("fs-ann", "sku-pending", "b-1", null);
      accepted.then().statusCode(202).body("status", equalTo("PENDING"));
      id = accepted.path("orderId");
      assertThat(accepted.header("Location")).isEqualTo("/orders/" + id);
      assertThat(status("fs-ann", id)).isEqualTo("PENDING");
      // the retry of the same request is the same order; another request with the key is not
      buy("fs-ann", "sku-pending", "b-1", null).then().statusCode(200).body("orderId", equalTo(id));
      buy("fs-ann", "sku-pending", "b-1", "{\"quantity\": 2}").then().statusCode(422);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(backlog()).isGreaterThanOrEqualTo(1));
    } finally {
      switchTo("pipeline", true);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> "CREATED".equals(status("fs-ann", id)));
    given()
        .header("X-User-Id", "fs-ann")
        .get("/orders/" + id)
        .then()
        .body("totalCents", equalTo(990))
        .body("lines[0].sku", equalTo("sku-pending"));
    given().get("/admin/flash-sales/sku-pending").then().body("remaining", equalTo(2));
  }

  @Test
  void refusesWhatCannotBeSold() {
    openSale("sku-small", 1, 1);
    buy("fs-bob", "sku-small", "k", "{\"quantity\": 3}")
        .then()
        .statusCode(422)
        .body("error", equalTo("this sale allows at most 2 unit(s) per order"));
    buy("fs-bob", "sku-small", "k", "{\"quantity\": 2}").then().statusCode(409);
    buy("fs-bob", "sku-small", "k", null).then().statusCode(202);
    buy("fs-cy", "sku-small", "k", null)
        .then()
        .statusCode(409)
        .body("error", equalTo("sold out: not enough sku-small left for 1"));
    buy("fs-cy", "no-such-sku", "k2", null).then().statusCode(404);
    buy("fs-cy", "sku-small", "k3", "{\"quantity\": 0}").then().statusCode(400);
    buy("fs-cy", "sku-small", null, null).then().statusCode(400);
    switchTo("flash-sale", false);
    try {
      buy("fs-cy", "sku-small", "k4", null).then().statusCode(503).header("Retry-After", "1");
    } finally {
      switchTo("flash-sale", true);
    }
  }

  @Test
  void twoHundredBuyersOfFiftyUnitsMakeExactlyFiftyOrders() throws Exception {
    openSale("sku-hot", 50, 8);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    List<Future<Response>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        String user = "fs200-" + i;
        Callable<Response> call = () -> buyUntilSettled(user, "sku-hot", "once");
        answers.add(pool.submit(call));
      }
      Map<Integer, Long> byStatus = new java.util.TreeMap<>();
      Map<String, String> acceptedByUser = new java.util.HashMap<>();
      for (int i = 0; i < answers.size(); i++) {
        Response answer = answers.get(i).get();
        byStatus.merge(answer.statusCode(), 1L, Long::sum);
        if (answer.statusCode() == 202 || answer.statusCode() == 200) {
          acceptedByUser.put("fs200-" + i, answer.path("orderId"));
        }
      }
      assertThat(acceptedByUser).hasSize(50);
      assertThat(byStatus.getOrDefault(409, 0L)).as("sold out").isEqualTo(150);
      given().get("/admin/flash-sales/sku-hot").then().body("remaining", equalTo(0));

      // every accepted order reaches the database, once, under the id its buyer was given
      await().atMost(Duration.ofSeconds(60)).until(() -> storedOrders("fs200-%").size() == 50);
      assertThat(storedOrders("fs200-%"))
          .isEqualTo(
              acceptedByUser.entrySet().stream()
                  .map(e -> e.getValue() + "/" + e.getKey())
                  .collect(Collectors.toSet()));
      acceptedByUser.forEach(
          (user, id) -> assertThat(status(user, id)).as(user).isEqualTo("CREATED"));
      await().atMost(Duration.ofSeconds(10)).until(() -> backlog() == 0);
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code orderId/userId} of every stored order of the matching users (a scatter query). */
  static Set<String> storedOrders(String userLike) throws Exception {
    try (Connection db = DriverManager.getConnection(VitessCellResource.vitess.jdbcUrl());
        var query =
            db.prepareStatement("SELECT order_id, user_id FROM orders WHERE user_id LIKE ?")) {
      query.setString(1, userLike);
      Set<String> rows = new HashSet<>();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          assertThat(rows.add(rs.getLong(1) + "/" + rs.getString(2))).isTrue();
        }
      }
      return rows;
    }
  }

  static double backlog() {
    String metrics =
        RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(l -> l.startsWith("unitcell_flash_sale_backlog"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no unitcell_flash_sale_backlog metric"));
  }
}

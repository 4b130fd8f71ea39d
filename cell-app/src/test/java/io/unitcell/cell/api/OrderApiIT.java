package io.unitcell.cell.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.unitcell.cell.order.OrderArchiver;
import io.unitcell.cell.routing.CellRouting;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(VitessCellResource.class)
class OrderApiIT {

  static final String BODY =
      """
      {"currency": "CNY", "lines": [{"sku": "sku-1", "quantity": 2, "unitPriceCents": 1999},
                                    {"sku": "sku-2", "quantity": 1, "unitPriceCents": 500}]}
      """;

  @Inject CellRouting routing;
  @Inject OrderArchiver archiver;

  /** {@code POST /orders/{id}/pay} or {@code /cancel} as {@code user}. */
  static ValidatableResponse transition(String user, String id, String action) {
    return given().header("X-User-Id", user).post("/orders/" + id + "/" + action).then();
  }

  /** A request as the router sends it. */
  static RequestSpecification given() {
    return RestAssured.given()
        .header(RouterOnlyFilter.SECRET_HEADER, VitessCellResource.ROUTER_SECRET);
  }

  static Response post(String user, String key, String body) {
    var request = given().contentType(ContentType.JSON).body(body);
    if (user != null) {
      request = request.header("X-User-Id", user);
    }
    if (key != null) {
      request = request.header("Idempotency-Key", key);
    }
    return request.post("/orders");
  }

  @Test
  void createsAnOrderOnceAndReadsItBack() {
    Response created = post("alice", "k-1", BODY);
    created
        .then()
        .statusCode(201)
        .body("status", equalTo("CREATED"))
        .body("totalCents", equalTo(4498));
    String id = created.path("orderId");

    given()
        .header("X-User-Id", "alice")
        .get("/orders/" + id)
        .then()
        .statusCode(200)
        .body("orderId", equalTo(id));
    given().header("X-User-Id", "bob").get("/orders/" + id).then().statusCode(404);

    post("alice", "k-1", BODY).then().statusCode(200).body("orderId", equalTo(id));
    post("alice", "k-1", BODY.replace("\"quantity\": 2", "\"quantity\": 3"))
        .then()
        .statusCode(422)
        .body("error", containsString("different request"));
  }

  @Test
  void paysAndCancelsAlongTheLifecycleOnly() {
    String id = post("frank", "k-pay", BODY).then().statusCode(201).extract().path("orderId");
    transition("frank", id, "pay")
        .statusCode(200)
        .body("status", equalTo("PAID"))
        .body("version", equalTo(1));
    // a retried pay changes nothing
    transition("frank", id, "pay")
        .statusCode(200)
        .body("status", equalTo("PAID"))
        .body("version", equalTo(1));
    transition("frank", id, "cancel").statusCode(200).body("status", equalTo("CANCELLED"));
    transition("frank", id, "pay")
        .statusCode(409)
        .body("error", equalTo("order " + id + " is CANCELLED: cannot pay"));
    transition("mallory", id, "cancel").statusCode(404);
  }

  @Test
  void concurrentTransitionsOfOneOrderEndOnALegalPath() throws Exception {
    for (int round = 0; round < 5; round++) {
      String id =
          post("grace", "k-race-" + round, BODY).then().statusCode(201).extract().path("orderId");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      int payStatus;
      int cancelStatus;
      try {
        Future<Integer> pay =
            pool.submit(
                () ->
                    given()
                        .header("X-User-Id", "grace")
                        .post("/orders/" + id + "/pay")
                        .statusCode());
        Future<Integer> cancel =
            pool.submit(
                () ->
                    given()
                        .header("X-User-Id", "grace")
                        .post("/orders/" + id + "/cancel")
                        .statusCode());
        payStatus = pay.get();
        cancelStatus = cancel.get();
      } finally {
        pool.shutdownNow();
      }
      String status =
          given()
              .header("X-User-Id", "grace")
              .get("/orders/" + id)
              .then()
              .statusCode(200)
              .extract()
              .path("status");
      // cancel won (pay then refused, or pay first and cancel after): CANCELLED;
      // pay won the version race and cancel was told to retry: PAID; never a lost update
      if (cancelStatus == 200) {
        assertThat(status).isEqualTo("CANCELLED");
        assertThat(payStatus).isIn(200, 409);
      } else {
        assertThat(cancelStatus).isEqualTo(409);
        assertThat(payStatus).isEqualTo(200);
        assertThat(status).isEqualTo("PAID");
      }
    }
  }

  @Test
  void listsAUsersOrdersNewestFirstAPageAtATime() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ids.add(post("heidi", "k-" + i, BODY).then().statusCode(201).extract().path("orderId"));
    }
    java.util.Collections.reverse(ids);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var request = given().header("X-User-Id", "heidi").queryParam("limit", 3);
      if (cursor != null) {
        request = request.queryParam("after", cursor);
      }
      Response page = request.get("/users/heidi/orders");
      page.then().statusCode(200);
      seen.addAll(page.path("orders.orderId"));
      cursor = page.path("next");
      pages++;
    } while (cursor != null);
    assertThat(seen).isEqualTo(ids);
    assertThat(pages).isEqualTo(3);
    given()
        .header("X-User-Id", "heidi")
        .queryParam("limit", 101)
        .get("/users/heidi/orders")
        .then()
        .statusCode(400);
    given().header("X-User-Id", "ivan").get("/users/heidi/orders").then().statusCode(403);
  }

  @Test
  void concurrentDuplicatesMakeExactlyOneOrder() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Response>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        answers.add(pool.submit((Callable<Response>) () -> post("carol", "same-key", BODY)));
      }
      List<Integer> statuses = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (Future<Response> answer : answers) {
        statuses.add(answer.get().statusCode());
        ids.add(answer.get().path("orderId"));
      }
      assertThat(statuses).containsOnly(200, 201).containsOnlyOnce(201);
      assertThat(ids).containsOnly(ids.get(0));
    } finally {
      pool.shutdownNow();
    }
    try (Connection c =
            DriverManager.getConnection(
                VitessCellResource.vitess.jdbcUrl().replace("/commerce", "/orders"));
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT COUNT(*) FROM orders WHERE user_id = 'carol'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void ordersOfManyUsersLandOnBothShards() throws Exception {
    for (int i = 0; i < 40; i++) {
      post("user-" + i, "k", BODY).then().statusCode(201);
    }
    for (String shard : List.of("-80", "80-")) {
      try (Connection c =
              DriverManager.getConnection(VitessCellResource.vitess.shardJdbcUrl(shard));
          ResultSet rs =
              c.createStatement()
                  .executeQuery("SELECT COUNT(*) FROM orders WHERE user_id LIKE 'user-%'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("orders on shard %s", shard).isBetween(5, 35);
      }
    }
  }

  @Test
  void trustsTheUserHeaderOnlyFromTheRouter() {
    given().header("X-User-Id", "alice").get("/users/alice/orders").then().statusCode(200);
    RestAssured.given()
        .header("X-User-Id", "alice")
        .get("/users/alice/orders")
        .then()
        .statusCode(401)
        .body("error", containsString("through the router"));
    RestAssured.given()
        .header("X-User-Id", "alice")
        .header(RouterOnlyFilter.SECRET_HEADER, "guess")
        .get("/users/alice/orders")
        .then()
        .statusCode(401);
    RestAssured.given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void readinessChecksTheDatabaseAndMetricsHaveLatencyHistograms() {
    // eventually: another test may just have restarted vtgate
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("UP"))
                    .body(containsString("Database connections health check")));
    post("judy", "k-metrics", BODY).then().statusCode(201);
    // the request timer is recorded when the response ends, which may be after the client has it
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .body(containsString("http_server_requests_seconds_bucket"))
                    .body(containsString("uri=\"/orders\""))
                    .body(containsString("unitcell_availability_ratio"))
                    .body(containsString("unitcell_cache_hit_ratio"))
                    .body(containsString("unitcell_cache_reads_total{result=\"miss\"}"))
                    .body(containsString("unitcell_flash_sale_backlog"))
                    .body(containsString("unitcell_notifications_total")));
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'infinispan' }.status", equalTo("UP"));
  }

  @Test
  void answers503NotAFakeSuccessWhileTheDatabaseIsDown() throws Exception {
    VitessCellResource.vitess.killVtgate();
    try {
      post("kim", "k-down", BODY)
          .then()
          .statusCode(503)
          .header("Retry-After", "1")
          .body("error", equalTo("the order database is unavailable; retry shortly"));
      RestAssured.given().get("/q/health/ready").then().statusCode(503);
      // reads fail too; after enough failures the breaker opens and answers at once
      String last = null;
      for (int i = 0; i < 25; i++) {
        last =
            given()
                .header("X-User-Id", "kim")
                .get("/orders/" + (1L << 30))
                .then()
                .statusCode(503)
                .extract()
                .path("error");
      }
      assertThat(last)
          .isEqualTo("the order database is failing; requests are cut off briefly; retry");
    } finally {
      VitessCellResource.vitess.restartVtgate();
    }
    // the failed attempt left nothing behind: the same key now makes the order, once
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(() -> post("kim", "k-down", BODY).then().statusCode(201));
    post("kim", "k-down", BODY).then().statusCode(200);
    // and reads, whose breaker opened, are let through again
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .header("X-User-Id", "kim")
                    .get("/orders/" + (1L << 30))
                    .then()
                    .statusCode(404));
  }

  @Test
  void finishedOrdersMoveToHistoryAndStayReadable() throws Exception {
    String cancelled =
        post("liam", "k-old-1", BODY).then().statusCode(201).extract().path("orderId");
    transition("liam", cancelled, "cancel").statusCode(200);
    String open = post("liam", "k-old-2", BODY).then().statusCode(201).extract().path("orderId");
    try (Connection c = DriverManager.getConnection(VitessCellResource.vitess.jdbcUrl())) {
      c.createStatement()
          .executeUpdate(
              "UPDATE orders SET updated_at = NOW(3) - INTERVAL 100 DAY WHERE user_id = 'liam'");
    }

    assertThat(archiver.archive(java.time.Instant.now().minus(java.time.Duration.ofDays(90))))
        .isGreaterThanOrEqualTo(1);

    try (Connection c = DriverManager.getConnection(VitessCellResource.vitess.jdbcUrl())) {
      assertThat(
              count(
                  c,
                  "SELECT COUNT(*) FROM orders WHERE user_id = 'liam' AND order_id = " + cancelled))
          .isZero();
      assertThat(
              count(
                  c,
                  "SELECT COUNT(*) FROM orders_history WHERE user_id = 'liam' AND order_id = "
                      + cancelled))
          .isEqualTo(1);
      // an old order that is not finished stays live
      assertThat(
              count(c, "SELECT COUNT(*) FROM orders WHERE user_id = 'liam' AND order_id = " + open))
          .isEqualTo(1);
    }
    given()
        .header("X-User-Id", "liam")
        .get("/orders/" + cancelled)
        .then()
        .statusCode(200)
        .body("status", equalTo("CANCELLED"));
    transition("liam", cancelled, "cancel").statusCode(200);
    transition("liam", cancelled, "pay").statusCode(409);
  }

  static int count(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void refusesBadRequestsWithAReason() {
    post(null, "k", BODY)
        .then()
        .statusCode(400)
        .body("error", equalTo("X-User-Id header is required"));
    post("dave", null, BODY)
        .then()
        .statusCode(400)
        .body("error", containsString("Idempotency-Key"));
    post("dave", "bad key!", BODY).then().statusCode(400);
    post("dave", "k", BODY.replace("\"quantity\": 2", "\"quantity\": -2"))
        .then()
        .statusCode(400)
        .body(containsString("quantity must be at least 1"));
    post("dave", "k", BODY.replace("\"currency\"", "\"colour\": 1, \"currency\""))
        .then()
        .statusCode(400);
    post("dave", "k", "{\"currency\": ").then().statusCode(400);
    post("dave", "k", "{\"currency\": \"CNY\", \"lines\": []}")
        .then()
        .statusCode(400)
        .body(containsString("1 to 50 lines"));
    given().header("X-User-Id", "dave").get("/orders/not-a-number").then().statusCode(400);
    String huge = BODY.replace("\"sku-1\"", "\"sku-1\", \"pad\": \"" + "x".repeat(70_000) + "\"");
    post("dave", "k", huge).then().statusCode(413);
  }

  @Test
  void refusesWritesWith421WhileTheCellIsFenced() {
    VitessCellResource.publish(
        VitessCellResource.table(
            2, new CellRoute("zone-a", List.of("127.0.0.1:8081"), CellState.FENCED)));
    routing.reload();
    try {
      post("erin", "k", BODY)
          .then()
          .statusCode(421)
          .header("X-Unitcell-Epoch", "2")
          .body("epoch", equalTo(2))
          .body("error", equalTo("cell cell-1 is FENCED at epoch 2: no writes"));
      // what a switchover polls to know the fence has reached this instance
      given()
          .get("/admin/table")
          .then()
          .statusCode(200)
          .body("cell", equalTo("cell-1"))
          .body("epoch", equalTo(2))
          .body("state", equalTo("FENCED"))
          .body("zone", equalTo("zone-a"));
    } finally {
      VitessCellResource.publish(
          VitessCellResource.table(3, CellRoute.serving("zone-a", "127.0.0.1:8081")));
      routing.reload();
    }
    post("erin", "k", BODY).then().statusCode(201);
  }
}

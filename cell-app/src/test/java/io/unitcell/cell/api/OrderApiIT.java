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
}

package io.unitcell.cell.api;

import static io.unitcell.cell.api.OrderApiIT.BODY;
import static io.unitcell.cell.api.OrderApiIT.given;
import static io.unitcell.cell.api.OrderApiIT.post;
import static io.unitcell.cell.api.OrderApiIT.transition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.unitcell.cell.order.OrderArchiver;
import io.unitcell.cell.routing.CellRouting;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The order API around its data: readiness and metrics, the database down, finished orders moving
 * to history, and writes refused while the cell is fenced. (Moved out of {@link OrderApiIT}.)
 */
@QuarkusTest
@QuarkusTestResource(VitessCellResource.class)
class OrderOperationsIT {

  @Inject CellRouting routing;
  @Inject OrderArchiver archiver;

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

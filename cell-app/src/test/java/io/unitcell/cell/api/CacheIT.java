package io.unitcell.cell.api;

import static io.unitcell.cell.api.OrderApiIT.BODY;
import static io.unitcell.cell.api.OrderApiIT.given;
import static io.unitcell.cell.api.OrderApiIT.post;
import static io.unitcell.cell.api.OrderApiIT.transition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.unitcell.cell.cache.CacheStats;
import io.unitcell.cell.cache.CacheStats.Result;
import io.unitcell.cell.cache.OrderCache;
import io.unitcell.cell.order.OrderId;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Cache-aside against the real Infinispan server: correctness after writes, and its outages. */
@QuarkusTest
@QuarkusTestResource(VitessCellResource.class)
class CacheIT {

  @Inject CacheStats stats;
  @Inject OrderCache cache;

  static String get(String user, String id, int status, String orderStatus) {
    var response = given().header("X-User-Id", user).get("/orders/" + id).then().statusCode(status);
    if (orderStatus != null) {
      response.body("status", equalTo(orderStatus));
    }
    return id;
  }

  @Test
  void readsComeFromTheCacheAndWritesInvalidateThem() {
    String id = post("cache-ann", "c-1", BODY).then().statusCode(201).extract().path("orderId");
    double hitsBefore = hits();
    get("cache-ann", id, 200, "CREATED");
    get("cache-ann", id, 200, "CREATED");
    get("cache-ann", id, 200, "CREATED");
    assertThat(hits() - hitsBefore).as("second and third read are cache hits").isEqualTo(2);

    transition("cache-ann", id, "pay").statusCode(200);
    get("cache-ann", id, 200, "PAID");
    transition("cache-ann", id, "cancel").statusCode(200);
    get("cache-ann", id, 200, "CANCELLED");

    // the first page is cached too, and a new order invalidates it
    list("cache-ann").body("orders", hasSize(1));
    list("cache-ann").body("orders", hasSize(1));
    post("cache-ann", "c-2", BODY).then().statusCode(201);
    list("cache-ann").body("orders", hasSize(2)).body("orders[1].status", equalTo("CANCELLED"));
  }

  @Test
  void remembersBrieflyThatAnOrderDoesNotExist() {
    String unknown = OrderId.of(System.currentTimeMillis(), 3, 1).toString();
    double missesBefore = stats.count(Result.MISS);
    double hitsBefore = hits();
    get("cache-bob", unknown, 404, null);
    get("cache-bob", unknown, 404, null);
    get("cache-bob", unknown, 404, null);
    assertThat(stats.count(Result.MISS) - missesBefore).as("one database read").isEqualTo(1);
    assertThat(hits() - hitsBefore).isEqualTo(2);
  }

  @Test
  void aStoppedCacheDegradesToTheDatabaseAndComesBackWithoutStaleData() {
    String id = post("cache-cy", "c-1", BODY).then().statusCode(201).extract().path("orderId");
    get("cache-cy", id, 200, "CREATED"); // now cached as CREATED in Infinispan

    VitessCellResource.infinispan.stop();
    try {
      // orders keep working: reads from the database, writes as usual
      get("cache-cy", id, 200, "CREATED");
      transition("cache-cy", id, "pay").statusCode(200);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> get("cache-cy", id, 200, "PAID"));
      post("cache-cy", "c-2", BODY).then().statusCode(201);
      assertThat(cache.pendingInvalidations()).as("the pay's invalidation waits").isPositive();
      // the flash sale needs its stock in the cache: refused, nothing bought
      given()
          .header("X-User-Id", "cache-cy")
          .header("Idempotency-Key", "fs-1")
          .contentType(ContentType.JSON)
          .body("{}")
          .post("/flash-sales/any-sku/orders")
          .then()
          .statusCode(503)
          .header("Retry-After", "1");
      RestAssured.given()
          .get("/q/health/ready")
          .then()
          .statusCode(200)
          .body(
              "checks.find { it.name == 'infinispan' }.data.cache",
              equalTo("degraded: reads served by the database, flash sales refused"));
    } finally {
      VitessCellResource.infinispan.start();
      awaitCacheAvailable();
    }
    // invalidations that failed meanwhile are sent before Infinispan is read again
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(cache.pendingInvalidations()).isZero());
    double remoteHits = stats.count(Result.REMOTE_HIT) + stats.count(Result.LOCAL_HIT);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              get("cache-cy", id, 200, "PAID");
              assertThat(stats.count(Result.REMOTE_HIT) + stats.count(Result.LOCAL_HIT))
                  .as("served from the cache again")
                  .isGreaterThan(remoteHits);
            });
  }

  @Test
  void theCacheSwitchSendsReadsToTheDatabaseAtRunTime() {
    String id = post("cache-dee", "c-1", BODY).then().statusCode(201).extract().path("orderId");
    switchTo("cache", false);
    try {
      double bypassed = stats.count(Result.BYPASSED);
      get("cache-dee", id, 200, "CREATED");
      get("cache-dee", id, 200, "CREATED");
      assertThat(stats.count(Result.BYPASSED) - bypassed).isEqualTo(2);
    } finally {
      switchTo("cache", true);
    }
    given().get("/admin/switches").then().statusCode(200).body("cache", equalTo(true));
    given()
        .contentType(ContentType.JSON)
        .body("{\"on\": false}")
        .put("/admin/switches/no-such-switch")
        .then()
        .statusCode(404);
  }

  /** Waits until readiness says the cache answers again (after an outage test). */
  static void awaitCacheAvailable() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                RestAssured.given()
                    .get("/q/health/ready")
                    .then()
                    .body(
                        "checks.find { it.name == 'infinispan' }.data.cache",
                        equalTo("available")));
  }

  static void switchTo(String name, boolean on) {
    given()
        .contentType(ContentType.JSON)
        .body("{\"on\": " + on + "}")
        .put("/admin/switches/" + name)
        .then()
        .statusCode(200)
        .body("'" + name + "'", equalTo(on));
  }

  private static io.restassured.response.ValidatableResponse list(String user) {
    return given()
        .header("X-User-Id", user)
        .get("/users/" + user + "/orders")
        .then()
        .statusCode(200);
  }

  private double hits() {
    return stats.count(Result.LOCAL_HIT) + stats.count(Result.REMOTE_HIT);
  }
}

package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.RoutingTable;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One cell served by two endpoints (two stub processes). Under steady load of idempotent requests
 * (reads, and creates with an {@code Idempotency-Key}), one endpoint is killed with SIGKILL: not a
 * single request fails, the dead endpoint is taken out (passive ejection and the active health
 * check), and everything after goes to the other endpoint.
 */
class FailoverIT {

  static RouterHarness harness;
  static Stub first;
  static Stub second;

  @BeforeAll
  static void start() {
    harness = new RouterHarness("failover");
    first = harness.stub("cell-1");
    second = harness.stub("cell-1");
    harness.writeTable(
        RoutingTable.of(
            1,
            filled(1024, "cell-1"),
            Map.of("cell-1", CellRoute.serving("zone-a", first.endpoint(), second.endpoint()))));
    harness.startRouter(
        Map.of(
            "UNITCELL_ROUTER_AUTH", "header",
            "UNITCELL_ROUTER_HEALTH_INTERVAL", "500ms",
            "UNITCELL_ROUTER_LIMITS_USER_RATE", "0"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static String[] filled(int slots, String cell) {
    String[] owners = new String[slots];
    java.util.Arrays.fill(owners, cell);
    return owners;
  }

  @Test
  void aKilledEndpointIsEjectedAndNoIdempotentRequestFails() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> byPort = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<?>> loops = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      int client = c;
      loops.add(
          clients.submit(
              () -> {
                for (int i = 0; running.get(); i++) {
                  String user = "user-" + client + "-" + (i % 50);
                  HttpRequest request =
                      i % 2 == 0
                          ? harness.request("/orders/" + i, user).GET().build()
                          : harness
                              .request("/orders", user)
                              .header("Idempotency-Key", "k-" + client + "-" + i)
                              .POST(HttpRequest.BodyPublishers.ofString("{}"))
                              .build();
                  sent.incrementAndGet();
                  try {
                    HttpResponse<String> response = harness.send(request);
                    if (response.statusCode() >= 300) {
                      failures.merge(
                          response.statusCode() + " " + response.body(), 1, Integer::sum);
                    } else {
                      JsonNode seen = RouterHarness.json(response.body());
                      byPort
                          .computeIfAbsent(seen.get("port").asInt(), p -> new AtomicInteger())
                          .incrementAndGet();
                    }
                  } catch (RuntimeException e) {
                    failures.merge(e.toString(), 1, Integer::sum);
                  }
                }
              }));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> first.count() > 100 && second.count() > 100);

    first.kill();
    int sentAtKill = sent.get();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> endpointView(first).get("usable").asBoolean() == false);
    int afterEjection = sent.get();
    long secondBefore = second.count();
    await().atMost(Duration.ofSeconds(20)).until(() -> sent.get() > afterEjection + 300);
    running.set(false);
    for (Future<?> loop : loops) {
      loop.get(30, TimeUnit.SECONDS);
    }
    clients.shutdown();

    assertThat(failures).as("failed requests").isEmpty();
    assertThat(sent.get() - sentAtKill).isGreaterThan(300);
    // all later requests went to the survivor (the stub counts what it answered)
    assertThat(second.count() - secondBefore)
        .isGreaterThanOrEqualTo(sent.get() - afterEjection - 8);
    assertThat(byPort.keySet()).containsExactlyInAnyOrder(first.port, second.port);
    assertThat(
            harness.metric("unitcell_router_ejections_total")
                + (endpointView(first).get("healthCheck").asText().equals("failing") ? 1 : 0))
        .isPositive();
    assertThat(harness.metric("unitcell_router_upstream_failures_total", "cell=\"cell-1\""))
        .isPositive();
  }

  static JsonNode endpointView(Stub stub) {
    JsonNode endpoints =
        RouterHarness.json(harness.admin("/admin/endpoints").body())
            .get("cells")
            .get("cell-1")
            .get("endpoints");
    for (JsonNode endpoint : endpoints) {
      if (endpoint.get("address").asText().equals(stub.endpoint())) {
        return endpoint;
      }
    }
    throw new AssertionError(stub.endpoint() + " not in " + endpoints);
  }
}

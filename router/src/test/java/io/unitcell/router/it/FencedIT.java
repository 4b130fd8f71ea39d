package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.RoutingTable;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fenced cell (a switchover is moving it): its reads pass, its writes wait for a table in which
 * it serves again, at most {@code hold} and at most {@code max-held} of them; the rest get 503 with
 * Retry-After.
 */
class FencedIT {

  static final Duration HOLD = Duration.ofSeconds(2);
  static RouterHarness harness;
  static Stub cell1;
  static Stub cell2;
  static long epoch;

  @BeforeAll
  static void start() {
    harness = new RouterHarness("fenced");
    cell1 = harness.stub("cell-1");
    cell2 = harness.stub("cell-2");
    publish(CellState.FENCED);
    harness.startRouter(
        Map.of(
            "UNITCELL_ROUTER_AUTH", "header",
            "UNITCELL_ROUTER_FENCED_HOLD", HOLD.toMillis() + "ms",
            "UNITCELL_ROUTER_FENCED_MAX_HELD", "3"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @BeforeEach
  void fence() {
    publish(CellState.FENCED);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.epochServed() == epoch);
  }

  static void publish(CellState cell1State) {
    String[] owners = new String[1024];
    for (int slot = 0; slot < owners.length; slot++) {
      owners[slot] = slot < 512 ? "cell-1" : "cell-2";
    }
    harness.writeTable(
        RoutingTable.of(
            ++epoch,
            owners,
            Map.of(
                "cell-1",
                new CellRoute("zone-a", List.of(cell1.endpoint()), cell1State),
                "cell-2",
                CellRoute.serving("zone-b", cell2.endpoint()))));
  }

  static String user(String cell) {
    for (int i = 0; ; i++) {
      int slot = io.unitcell.topology.SlotHash.slotOf("user-" + i, 1024);
      if ((slot < 512) == cell.equals("cell-1")) {
        return "user-" + i;
      }
    }
  }

  @Test
  void readsPassAndWritesGet503AfterTheHold() {
    String user = user("cell-1");
    long servedBefore = cell1.count();

    assertThat(harness.get("/orders/1", user).statusCode()).isEqualTo(200);
    long started = System.nanoTime();
    HttpResponse<String> write = harness.post("/orders", user, "{}");
    Duration waited = Duration.ofNanos(System.nanoTime() - started);

    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(write.body()).contains("cell-1 is fenced");
    assertThat(waited).isGreaterThanOrEqualTo(HOLD.minusMillis(100));
    assertThat(cell1.count()).isEqualTo(servedBefore + 1); // the read only
    // another cell's writes are not held
    assertThat(harness.post("/orders", user("cell-2"), "{}").statusCode()).isEqualTo(201);
    assertThat(harness.metric("unitcell_router_rejections_total", "fenced_timeout")).isPositive();
  }

  @Test
  void aHeldWriteGoesThroughWhenTheCellServesAgain() throws Exception {
    String user = user("cell-1");
    CompletableFuture<HttpResponse<String>> write =
        CompletableFuture.supplyAsync(() -> harness.post("/orders", user, "{\"n\":1}"));
    awaitHeld(1);
    publish(CellState.SERVING);

    HttpResponse<String> response = write.get();

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(RouterHarness.json(response.body()).get("cell").asText()).isEqualTo("cell-1");
    assertThat(response.headers().firstValue("X-Unitcell-Router-Epoch"))
        .hasValue(Long.toString(epoch));
  }

  @Test
  void writesBeyondTheBoundAreRefusedAtOnce() throws Exception {
    String user = user("cell-1");
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(CompletableFuture.supplyAsync(() -> harness.post("/orders", user, "{}")));
    }
    awaitHeld(3);

    HttpResponse<String> extra = harness.post("/orders", user, "{}");

    assertThat(extra.statusCode()).isEqualTo(503);
    assertThat(extra.body()).contains("too many writes wait");
    assertThat(harness.metric("unitcell_router_fenced_held")).isEqualTo(3.0);
    for (CompletableFuture<HttpResponse<String>> write : held) {
      assertThat(write.get().statusCode()).isEqualTo(503);
    }
    assertThat(harness.metric("unitcell_router_fenced_held")).isZero();
  }

  static void awaitHeld(int count) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> harness.metric("unitcell_router_fenced_held") >= count);
  }
}

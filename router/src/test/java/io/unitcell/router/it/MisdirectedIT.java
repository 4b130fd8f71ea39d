package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.topology.RoutingTable;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 421 from a cell makes the router read its table source at once and route the request once more.
 * The router here polls its file only hourly, so a newer table can only be found through the 421.
 */
class MisdirectedIT {

  static RouterHarness harness;
  static Map<String, Stub> stubs = new HashMap<>();

  @BeforeAll
  static void start() {
    harness = new RouterHarness("misdirected");
    for (String cell : List.of("cell-1", "cell-2", "cell-3")) {
      stubs.put(cell, harness.stub(cell));
    }
    harness.writeTable(RoutingIT.table(1, Map.of("cell-1", 1, "cell-2", 1, "cell-3", 1), stubs));
    harness.startRouter(
        Map.of("UNITCELL_ROUTER_AUTH", "header", "UNITCELL_ROUTER_TABLE_POLL", "1h"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void a421RefreshesTheTableAndRetriesOnce() {
    RoutingTable first = RoutingIT.table(1, Map.of("cell-1", 1, "cell-2", 1, "cell-3", 1), stubs);
    String user = RoutingIT.userOf("cell-2", first);
    RoutingTable next = RoutingIT.table(2, Map.of("cell-1", 1, "cell-3", 1), stubs);
    harness.writeTable(next); // not seen by polling for an hour
    stubs.get("cell-2").control("POST", "misdirect", 2);
    double retriesBefore = harness.metric("unitcell_router_retries_total", "misdirected");

    HttpResponse<String> response = harness.get("/orders/1", user);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(RouterHarness.json(response.body()).get("cell").asText())
        .isEqualTo(next.cellOfUser(user));
    assertThat(response.headers().firstValue("X-Unitcell-Router-Epoch")).hasValue("2");
    assertThat(harness.epochServed()).isEqualTo(2);
    assertThat(harness.metric("unitcell_router_retries_total", "misdirected"))
        .isEqualTo(retriesBefore + 1);
    stubs.get("cell-2").control("POST", "misdirect", 0);
  }

  @Test
  void aCellThatKeepsRefusingGets503AfterOneRetry() {
    harness.adminCall("POST", "/admin/table/refresh");
    RoutingTable current = RoutingTable.fromJson(harness.admin("/admin/table").body());
    String user = RoutingIT.userOf("cell-1", current);
    double retriesBefore = harness.metric("unitcell_router_retries_total", "misdirected");
    long servedBefore = stubs.get("cell-1").count();
    stubs.get("cell-1").control("POST", "misdirect", current.epoch());
    try {
      HttpResponse<String> refused = harness.get("/orders/1", user);

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(refused.body()).contains("refused the request twice");
      assertThat(harness.metric("unitcell_router_retries_total", "misdirected"))
          .isEqualTo(retriesBefore + 1);
      assertThat(stubs.get("cell-1").count()).isEqualTo(servedBefore);
    } finally {
      stubs.get("cell-1").control("POST", "misdirect", 0);
    }
    assertThat(harness.get("/orders/1", user).statusCode()).isEqualTo(200);
  }
}

package io.unitcell.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.router.it.RouterHarness.Stub;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.RoutingTable;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token buckets per user and per cell, block lists (config and admin API), body size limit. */
class LimitsIT {

  static RouterHarness harness;
  static RoutingTable table;

  @BeforeAll
  static void start() {
    harness = new RouterHarness("limits");
    Stub cell1 = harness.stub("cell-1");
    Stub cell2 = harness.stub("cell-2");
    String[] owners = new String[1024];
    for (int slot = 0; slot < owners.length; slot++) {
      owners[slot] = slot < 512 ? "cell-1" : "cell-2";
    }
    table =
        RoutingTable.of(
            1,
            owners,
            Map.of(
                "cell-1", CellRoute.serving("zone-a", cell1.endpoint()),
                "cell-2", CellRoute.serving("zone-a", cell2.endpoint())));
    harness.writeTable(table);
    Map<String, String> env = new HashMap<>();
    env.put("UNITCELL_ROUTER_AUTH", "header");
    env.put("UNITCELL_ROUTER_LIMITS_USER_RATE", "0.5");
    env.put("UNITCELL_ROUTER_LIMITS_USER_BURST", "5");
    env.put("UNITCELL_ROUTER_LIMITS_CELL_RATES", "cell-2=5");
    env.put("UNITCELL_ROUTER_LIMITS_CELL_BURST", "10");
    env.put("UNITCELL_ROUTER_BLOCK_USERS", "mallory,trudy");
    env.put("UNITCELL_ROUTER_UPSTREAM_MAX_BODY_SIZE", "1K");
    harness.startRouter(env);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static String userOf(String cell, int skip) {
    for (int i = 0; ; i++) {
      if (table.cellOfUser("user-" + i).equals(cell) && skip-- == 0) {
        return "user-" + i;
      }
    }
  }

  @Test
  void aUserBeyondItsRateGets429AndOthersGoOn() {
    String busy = userOf("cell-1", 0);
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> response = harness.get("/orders/" + i, busy);
      if (response.statusCode() == 429) {
        limited++;
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).contains("too many requests for this user");
      } else {
        assertThat(response.statusCode()).isEqualTo(200);
        ok++;
      }
    }
    // the burst of 5, plus one more for every 2 s the loop took (under a second here)
    assertThat(ok).isBetween(5, 8);
    assertThat(limited).isEqualTo(12 - ok);
    assertThat(harness.get("/orders/1", userOf("cell-1", 1)).statusCode()).isEqualTo(200);
    assertThat(harness.metric("unitcell_router_rejections_total", "rate_limit_user")).isPositive();
  }

  @Test
  void aCellBeyondItsRateGets429() {
    int limited = 0;
    for (int i = 0; i < 60; i++) {
      // a different user each time: only the cell's bucket can run dry
      HttpResponse<String> response = harness.get("/orders/1", userOf("cell-2", 10 + i));
      if (response.statusCode() == 429) {
        limited++;
        assertThat(response.body()).contains("too many requests for cell cell-2");
      }
    }
    // a burst of 10 and 5/s: 60 requests in less than 8 s cannot all pass
    assertThat(limited).isGreaterThanOrEqualTo(10);
    assertThat(harness.get("/orders/1", userOf("cell-1", 40)).statusCode()).isEqualTo(200);
    assertThat(
            harness.metric(
                "unitcell_router_rejections_total", "cell=\"cell-2\"", "rate_limit_cell"))
        .isEqualTo(limited);
  }

  @Test
  void blockedUsersAndAddressesGet403() {
    HttpResponse<String> blocked = harness.get("/orders/1", "mallory");
    assertThat(blocked.statusCode()).isEqualTo(403);
    assertThat(blocked.body()).contains("user is blocked");

    String eve = userOf("cell-1", 50);
    assertThat(harness.get("/orders/1", eve).statusCode()).isEqualTo(200);
    assertThat(harness.adminCall("PUT", "/admin/blocks/users?user=" + eve).statusCode())
        .isEqualTo(200);
    assertThat(harness.get("/orders/1", eve).statusCode()).isEqualTo(403);
    assertThat(harness.adminCall("DELETE", "/admin/blocks/users?user=" + eve).statusCode())
        .isEqualTo(200);
    assertThat(harness.get("/orders/1", eve).statusCode()).isEqualTo(200);

    assertThat(harness.adminCall("PUT", "/admin/blocks/ips?ip=127.0.0.0/8").body())
        .contains("127.0.0.0/8");
    HttpResponse<String> fromBlockedAddress = harness.get("/orders/1", eve);
    assertThat(fromBlockedAddress.statusCode()).isEqualTo(403);
    assertThat(fromBlockedAddress.body()).contains("client address is blocked");
    assertThat(harness.adminCall("DELETE", "/admin/blocks/ips?ip=127.0.0.0/8").statusCode())
        .isEqualTo(200);
    assertThat(harness.get("/orders/1", eve).statusCode()).isEqualTo(200);

    assertThat(harness.adminCall("PUT", "/admin/blocks/ips?ip=not-an-ip").statusCode())
        .isEqualTo(400);
    assertThat(harness.metric("unitcell_router_rejections_total", "blocked_user")).isEqualTo(2);
    assertThat(harness.metric("unitcell_router_rejections_total", "blocked_ip")).isEqualTo(1);
  }

  @Test
  void aBodyOverTheLimitGets413() {
    String user = userOf("cell-1", 60);
    HttpResponse<String> tooLarge = harness.post("/orders", user, "x".repeat(2000));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("larger than 1024 bytes");
    assertThat(harness.post("/orders", user, "x".repeat(1000)).statusCode()).isEqualTo(201);
  }
}

package io.unitcell.router.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.router.app.Router;
import io.unitcell.router.upstream.CellTarget;
import io.unitcell.router.upstream.Endpoint;
import io.unitcell.router.upstream.Upstreams.Routing;
import io.unitcell.topology.RoutingTable;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The admin API, on the management port (quarkus.http.port), never on the proxy port:
 *
 * <ul>
 *   <li>{@code GET /admin/table}: the routing table in use (its epoch first)
 *   <li>{@code POST /admin/table/refresh}: read the table source now
 *   <li>{@code GET /admin/endpoints}: each cell's endpoints and their health
 *   <li>{@code GET /admin/blocks}; {@code PUT|DELETE /admin/blocks/users?user=U} and {@code
 *       /admin/blocks/ips?ip=A} (an address or CIDR range); changes last until restart, the
 *       configured lists come back then
 * </ul>
 */
@ApplicationScoped
public class AdminRoutes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Router router;

  AdminRoutes(Router router) {
    this.router = router;
  }

  void routes(@Observes io.vertx.ext.web.Router web) {
    web.get("/admin/table").handler(this::table);
    web.post("/admin/table/refresh").blockingHandler(this::refresh);
    web.get("/admin/endpoints").handler(this::endpoints);
    web.get("/admin/blocks").handler(this::blocks);
    web.put("/admin/blocks/users").handler(ctx -> changeBlock(ctx, "user", true));
    web.delete("/admin/blocks/users").handler(ctx -> changeBlock(ctx, "user", false));
    web.put("/admin/blocks/ips").handler(ctx -> changeBlock(ctx, "ip", true));
    web.delete("/admin/blocks/ips").handler(ctx -> changeBlock(ctx, "ip", false));
  }

  private void table(RoutingContext ctx) {
    RoutingTable table = router.tables().current();
    if (table == null) {
      error(ctx, 503, "no routing table yet (source: " + router.tables().source() + ")");
      return;
    }
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Unitcell-Router-Epoch", Long.toString(table.epoch()))
        .end(table.toJson());
  }

  private void refresh(RoutingContext ctx) {
    router.tables().refresh().join();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("epoch", router.tables().epoch());
    result.put("source", router.tables().source());
    json(ctx, 200, result);
  }

  private void endpoints(RoutingContext ctx) {
    Routing routing = router.upstreams().routing();
    Map<String, Object> cells = new TreeMap<>();
    if (routing != null) {
      long now = System.nanoTime();
      for (CellTarget cell : distinct(routing)) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("state", cell.state().name());
        List<Map<String, Object>> endpoints =
            java.util.Arrays.stream(cell.endpoints())
                .map(endpoint -> endpointView(endpoint, now))
                .toList();
        entry.put("endpoints", endpoints);
        cells.put(cell.name(), entry);
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("epoch", routing == null ? -1 : routing.table().epoch());
    result.put("cells", cells);
    json(ctx, 200, result);
  }

  private static List<CellTarget> distinct(Routing routing) {
    Map<String, CellTarget> byName = new TreeMap<>();
    for (CellTarget target : routing.bySlot()) {
      byName.putIfAbsent(target.name(), target);
    }
    return List.copyOf(byName.values());
  }

  private static Map<String, Object> endpointView(Endpoint endpoint, long now) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("address", endpoint.address());
    view.put("usable", endpoint.isUsable(now));
    view.put("ejected", endpoint.isEjected());
    view.put("healthCheck", endpoint.isActiveHealthy() ? "passing" : "failing");
    return view;
  }

  private void blocks(RoutingContext ctx) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("users", router.blocks().users());
    result.put("ips", router.blocks().ips());
    json(ctx, 200, result);
  }

  private void changeBlock(RoutingContext ctx, String what, boolean block) {
    String value = ctx.queryParams().get(what);
    if (value == null || value.isBlank()) {
      error(ctx, 400, "query parameter " + what + " is required");
      return;
    }
    try {
      if ("user".equals(what)) {
        if (block) {
          router.blocks().blockUser(value);
        } else {
          router.blocks().unblockUser(value);
        }
      } else if (block) {
        router.blocks().blockIp(value);
      } else {
        router.blocks().unblockIp(value);
      }
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    blocks(ctx);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("status", status).put("error", message).getMap());
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    try {
      ctx.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      ctx.fail(e);
    }
  }
}

package io.unitcell.cell.api;

import io.unitcell.cell.degrade.Switches;
import io.unitcell.cell.flashsale.FlashSale;
import io.unitcell.cell.flashsale.FlashSaleStock;
import io.unitcell.cell.flashsale.FlashSaleWorker;
import io.unitcell.cell.routing.CellRouting;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.RoutingTable;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Operations for the platform team, on one cell instance (not routed to users): the routing table
 * it applied, degradation switches, and flash sales (open one with its stock, see what is left).
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  @Inject Switches switches;
  @Inject FlashSaleStock stock;
  @Inject FlashSaleWorker worker;
  @Inject CellRouting routing;

  /**
   * The routing table this instance applied: its epoch (-1 before any) and this cell's state in it.
   * A switchover waits for every instance to report the fence epoch before moving the data.
   */
  public record TableView(String cell, long epoch, String state, String zone) {}

  /** Body of {@code PUT /admin/switches/{name}}. */
  public record SwitchRequest(@NotNull(message = "on is required (true or false)") Boolean on) {}

  /** Body of {@code PUT /admin/flash-sales/{sku}}. */
  public record SaleRequest(
      @NotNull(message = "stock is required") @Min(value = 0, message = "stock must not be negative") Long stock,
      @NotNull(message = "unitPriceCents is required") @Min(value = 0, message = "unitPriceCents must not be negative") Long unitPriceCents,
      @NotNull(message = "currency is required") String currency,
      @Min(value = 1, message = "maxQuantity must be at least 1") @Max(value = 100, message = "maxQuantity must be at most 100") Integer maxQuantity,
      @Min(value = 1, message = "subKeys must be at least 1") @Max(value = FlashSale.MAX_SUB_KEYS, message = "subKeys must be at most {value}") Integer subKeys) {}

  /** A sale and what is left of it. */
  public record SaleView(FlashSale sale, long remaining, long pipelineBacklog) {}

  @GET
  @Path("/table")
  public TableView table() {
    RoutingTable table = routing.tables().current();
    if (table == null) {
      return new TableView(routing.cell(), -1, null, null);
    }
    CellRoute route = table.route(routing.cell());
    return new TableView(
        routing.cell(),
        table.epoch(),
        route == null ? null : route.state().name(),
        route == null ? null : route.zone());
  }

  @GET
  @Path("/switches")
  public Map<String, Boolean> switches() {
    return switches.all();
  }

  @PUT
  @Path("/switches/{name}")
  public Response flip(@PathParam("name") String name, @Valid @NotNull SwitchRequest request) {
    return Switches.Switch.byApiName(name)
        .map(
            s -> {
              switches.set(s, request.on());
              return Response.ok(switches.all()).build();
            })
        .orElseGet(
            () ->
                ApiError.response(
                    404, "no switch " + name + "; switches are " + switches.all().keySet()));
  }

  /** Opens or resets a flash sale; the stock is split evenly over the sub-keys (default 8). */
  @PUT
  @Path("/flash-sales/{sku}")
  public Response defineSale(@PathParam("sku") String sku, @Valid @NotNull SaleRequest request) {
    FlashSale sale;
    try {
      sale =
          new FlashSale(
              sku,
              request.unitPriceCents(),
              request.currency(),
              request.maxQuantity() == null ? 1 : request.maxQuantity(),
              request.subKeys() == null ? 8 : request.subKeys());
    } catch (IllegalArgumentException e) {
      return ApiError.response(400, e.getMessage());
    }
    stock.define(sale, request.stock());
    return Response.ok(new SaleView(sale, stock.remaining(sale), worker.backlog())).build();
  }

  @GET
  @Path("/flash-sales/{sku}")
  public Response sale(@PathParam("sku") String sku) {
    return stock
        .sale(sku)
        .map(
            sale ->
                Response.ok(new SaleView(sale, stock.remaining(sale), worker.backlog())).build())
        .orElseGet(() -> ApiError.response(404, "no flash sale of " + sku));
  }
}

package io.unitcell.cell.api;

import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.degrade.Switches;
import io.unitcell.cell.degrade.Switches.Switch;
import io.unitcell.cell.flashsale.FlashSalePipeline;
import io.unitcell.cell.flashsale.FlashSalePipeline.Accepted;
import io.unitcell.cell.flashsale.FlashSalePipeline.AlreadyAccepted;
import io.unitcell.cell.routing.CellRouting;
import io.unitcell.cell.routing.WriteGuard;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * Buying in a flash sale: the stock is taken in the cache and the order accepted into the durable
 * pipeline; the answer is {@code 202} with the order id, whose status is {@code PENDING} until a
 * worker has stored it ({@code CREATED}). Same idempotency rules as {@code POST /orders}.
 */
@Path("/flash-sales/{sku}/orders")
@Produces(MediaType.APPLICATION_JSON)
public class FlashSaleResource {

  private static final Logger LOG = Logger.getLogger(FlashSaleResource.class);

  /** The body: how many units (default 1, at most the sale's limit). */
  public record BuyRequest(
      @Min(value = 1, message = "quantity must be at least 1") @Max(value = 100, message = "quantity must be at most 100") Integer quantity) {
    int units() {
      return quantity == null ? 1 : quantity;
    }
  }

  /** The answer: the order id and where to follow it. */
  public record AcceptedView(String orderId, String status, String location) {}

  @Inject FlashSalePipeline pipeline;
  @Inject CellRouting routing;
  @Inject Switches switches;

  @POST
  public Response buy(
      @HeaderParam(OrderResource.USER_HEADER) String userId,
      @HeaderParam(OrderResource.IDEMPOTENCY_HEADER) String idempotencyKey,
      @PathParam("sku") String sku,
      @Valid BuyRequest request) {
    OrderResource.requireUser(userId);
    OrderResource.requireIdempotencyKey(idempotencyKey);
    WriteGuard.Decision decision = routing.checkWrite(userId);
    if (decision instanceof WriteGuard.Refused refused) {
      return ApiError.misdirected(refused.epoch(), refused.reason());
    }
    if (!switches.isOn(Switch.FLASH_SALE)) {
      return ApiError.unavailable("flash sales are switched off on this cell; retry later");
    }
    int units = request == null ? 1 : request.units();
    FlashSalePipeline.Outcome outcome;
    try {
      outcome =
          pipeline.accept(
              userId, ((WriteGuard.Allowed) decision).slot(), sku, idempotencyKey, units);
    } catch (CacheUnavailableException e) {
      LOG.warnf("flash sale refused, cache unavailable: %s", e.getMessage());
      return ApiError.unavailable(
          "flash-sale stock is unavailable; nothing was bought; retry shortly");
    }
    if (outcome instanceof Accepted accepted) {
      return accepted(202, accepted.orderId().toString(), decision.epoch());
    }
    if (outcome instanceof AlreadyAccepted again) {
      return accepted(200, again.orderId().toString(), decision.epoch());
    }
    if (outcome instanceof FlashSalePipeline.KeyConflict) {
      return ApiError.response(
          422, OrderResource.IDEMPOTENCY_HEADER + " was used for a different request");
    }
    if (outcome instanceof FlashSalePipeline.InProgress) {
      return Response.fromResponse(
              ApiError.response(409, "a request with this Idempotency-Key is in progress; retry"))
          .header(HttpHeaders.RETRY_AFTER, 1)
          .build();
    }
    if (outcome instanceof FlashSalePipeline.NoSuchSale) {
      return ApiError.response(404, "no flash sale of " + sku);
    }
    if (outcome instanceof FlashSalePipeline.OverLimit over) {
      return ApiError.response(
          422, "this sale allows at most " + over.maxQuantity() + " unit(s) per order");
    }
    if (outcome instanceof FlashSalePipeline.SoldOut) {
      return ApiError.response(409, "sold out: not enough " + sku + " left for " + units);
    }
    return ApiError.unavailable("too many buyers at once for " + sku + "; retry shortly");
  }

  private static Response accepted(int status, String orderId, long epoch) {
    return Response.status(status)
        .header(ApiError.EPOCH_HEADER, epoch)
        .header(HttpHeaders.LOCATION, "/orders/" + orderId)
        .entity(new AcceptedView(orderId, "PENDING", "/orders/" + orderId))
        .build();
  }
}

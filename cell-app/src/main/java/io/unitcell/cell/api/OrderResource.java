package io.unitcell.cell.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.cache.OrderCache;
import io.unitcell.cell.flashsale.FlashSalePipeline;
import io.unitcell.cell.notify.Notifier;
import io.unitcell.cell.order.OrderColumns;
import io.unitcell.cell.order.OrderId;
import io.unitcell.cell.order.OrderService;
import io.unitcell.cell.order.OrderService.Creation;
import io.unitcell.cell.order.OrderService.IdempotencyConflictException;
import io.unitcell.cell.order.OrderService.TransitionRefusedException;
import io.unitcell.cell.order.OrderStatus;
import io.unitcell.cell.routing.CellRouting;
import io.unitcell.cell.routing.WriteGuard;
import io.unitcell.topology.SlotHash;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Orders of the calling user. The router forwards the user id, taken from a verified JWT, in
 * {@value #USER_HEADER}.
 */
@Path("/orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {

  public static final String USER_HEADER = "X-User-Id";
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  @Inject OrderService orders;
  @Inject CellRouting routing;
  @Inject ObjectMapper json;
  @Inject OrderCache cache;
  @Inject FlashSalePipeline pipeline;
  @Inject Notifier notifier;

  @POST
  public Response create(
      @HeaderParam(USER_HEADER) String userId,
      @HeaderParam(IDEMPOTENCY_HEADER) String idempotencyKey,
      @Valid @NotNull(message = "a JSON body is required") OrderRequest request) {
    requireUser(userId);
    requireIdempotencyKey(idempotencyKey);
    WriteGuard.Decision decision = routing.checkWrite(userId);
    if (decision instanceof WriteGuard.Refused refused) {
      return ApiError.misdirected(refused.epoch(), refused.reason());
    }
    int slot = ((WriteGuard.Allowed) decision).slot();
    try {
      Creation creation = orders.create(userId, slot, idempotencyKey, request.toNewOrder());
      if (creation.created()) {
        changed(creation.order());
      }
      return Response.status(creation.created() ? 201 : 200)
          .header(ApiError.EPOCH_HEADER, decision.epoch())
          .entity(OrderView.of(creation.order(), json))
          .build();
    } catch (IdempotencyConflictException e) {
      return ApiError.response(422, e.getMessage());
    }
  }

  @GET
  @Path("/{id}")
  public Response get(@HeaderParam(USER_HEADER) String userId, @PathParam("id") String id) {
    requireUser(userId);
    OrderId orderId = orderId(id);
    String view =
        cache.read(OrderCache.orderKey(userId, orderId.value()), () -> load(userId, orderId));
    return view == null
        ? ApiError.response(404, "no order " + id + " for this user")
        : Response.ok(view, MediaType.APPLICATION_JSON_TYPE).build();
  }

  /**
   * The order as stored, or still in the flash-sale pipeline (PENDING, not cached). The database is
   * asked first (where nearly every order is); only when it has none, the pipeline, and then the
   * database once more: a worker removes an order from the pipeline only after storing it, so an
   * order accepted before the first look is found by one of the three.
   */
  private OrderCache.Loaded load(String userId, OrderId orderId) {
    Optional<OrderColumns> stored = orders.find(userId, orderId);
    if (stored.isPresent()) {
      return OrderCache.Loaded.of(write(OrderView.of(stored.get(), json)));
    }
    try {
      var pending = pipeline.pending(userId, orderId);
      if (pending.isPresent()) {
        return OrderCache.Loaded.transientValue(write(OrderView.pending(pending.get())));
      }
    } catch (CacheUnavailableException e) {
      // no pipeline to look into: the database alone answers (a pending order reads as 404)
      return OrderCache.Loaded.transientValue(
          orders.find(userId, orderId).map(o -> write(OrderView.of(o, json))).orElse(null));
    }
    return OrderCache.Loaded.of(
        orders.find(userId, orderId).map(o -> write(OrderView.of(o, json))).orElse(null));
  }

  @POST
  @Path("/{id}/pay")
  public Response pay(@HeaderParam(USER_HEADER) String userId, @PathParam("id") String id) {
    return apply(userId, id, OrderStatus.Action.PAY);
  }

  @POST
  @Path("/{id}/cancel")
  public Response cancel(@HeaderParam(USER_HEADER) String userId, @PathParam("id") String id) {
    return apply(userId, id, OrderStatus.Action.CANCEL);
  }

  @POST
  @Path("/{id}/ship")
  public Response ship(@HeaderParam(USER_HEADER) String userId, @PathParam("id") String id) {
    return apply(userId, id, OrderStatus.Action.SHIP);
  }

  @POST
  @Path("/{id}/deliver")
  public Response deliver(@HeaderParam(USER_HEADER) String userId, @PathParam("id") String id) {
    return apply(userId, id, OrderStatus.Action.DELIVER);
  }

  private Response apply(String userId, String id, OrderStatus.Action action) {
    requireUser(userId);
    OrderId orderId = orderId(id);
    WriteGuard.Decision decision = routing.checkWrite(userId);
    if (decision instanceof WriteGuard.Refused refused) {
      return ApiError.misdirected(refused.epoch(), refused.reason());
    }
    try {
      return orders
          .apply(userId, orderId, action)
          .map(
              o -> {
                changed(o);
                return Response.ok(OrderView.of(o, json))
                    .header(ApiError.EPOCH_HEADER, decision.epoch())
                    .build();
              })
          .orElseGet(() -> ApiError.response(404, "no order " + id + " for this user"));
    } catch (TransitionRefusedException e) {
      return ApiError.response(409, e.getMessage());
    }
  }

  /** After a commit: what readers cached is stale, and the order's receiver may want to know. */
  private void changed(OrderColumns order) {
    cache.invalidate(
        OrderCache.orderKey(order.userId, order.orderId), OrderCache.firstPageKey(order.userId));
    notifier.orderChanged(order);
  }

  private String write(OrderView view) {
    try {
      return json.writeValueAsString(view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Refuses a request without a usable idempotency key (400). */
  static void requireIdempotencyKey(String key) {
    if (key == null || !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new WebApplicationException(
          ApiError.response(
              400, IDEMPOTENCY_HEADER + " header must be 1-64 letters, digits or . _ : -"));
    }
  }

  /** Refuses a request without a valid user id (400). */
  static void requireUser(String userId) {
    if (userId == null) {
      throw new WebApplicationException(
          ApiError.response(400, USER_HEADER + " header is required"));
    }
    if (!SlotHash.isValidUserId(userId)) {
      try {
        SlotHash.hash(userId);
      } catch (IllegalArgumentException e) {
        throw new WebApplicationException(
            ApiError.response(400, USER_HEADER + ": " + e.getMessage()));
      }
    }
  }

  private static OrderId orderId(String id) {
    try {
      return OrderId.parse(id);
    } catch (IllegalArgumentException e) {
      throw new WebApplicationException(ApiError.response(400, e.getMessage()));
    }
  }
}

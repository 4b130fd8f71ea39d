package io.unitcell.cell.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.cache.OrderCache;
import io.unitcell.cell.order.OrderId;
import io.unitcell.cell.order.OrderService;
import io.unitcell.cell.order.OrderService.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** A user's orders, newest first, a page at a time (cursor pagination, no deep offsets). */
@Path("/users/{userId}/orders")
@Produces(MediaType.APPLICATION_JSON)
public class UserOrdersResource {

  public static final int DEFAULT_PAGE = 20;
  public static final int MAX_PAGE = 100;

  @Inject OrderService orders;
  @Inject ObjectMapper json;
  @Inject OrderCache cache;

  /** A page and the cursor of the next one (null on the last page). */
  public record PageView(List<OrderView> orders, String next) {}

  @GET
  public Response list(
      @HeaderParam(OrderResource.USER_HEADER) String caller,
      @PathParam("userId") String userId,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    OrderResource.requireUser(caller);
    if (!caller.equals(userId)) {
      return ApiError.response(403, "a user may list only their own orders");
    }
    int size;
    try {
      size = limit == null ? DEFAULT_PAGE : Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      size = -1;
    }
    if (size < 1 || size > MAX_PAGE) {
      return ApiError.response(400, "limit must be a number from 1 to " + MAX_PAGE);
    }
    OrderId cursor;
    try {
      cursor = after == null ? null : OrderId.parse(after);
    } catch (IllegalArgumentException e) {
      return ApiError.response(400, "after must be the cursor of a previous page");
    }
    if (cursor == null && size == DEFAULT_PAGE) {
      // the first page is what users look at most: cache-aside like single orders
      String view =
          cache.read(
              OrderCache.firstPageKey(userId),
              () -> OrderCache.Loaded.of(write(view(orders.page(userId, null, DEFAULT_PAGE)))));
      return Response.ok(view, MediaType.APPLICATION_JSON_TYPE).build();
    }
    return Response.ok(view(orders.page(userId, cursor, size))).build();
  }

  private PageView view(Page page) {
    return new PageView(
        page.orders().stream().map(o -> OrderView.of(o, json)).toList(),
        page.next() == null ? null : page.next().toString());
  }

  private String write(PageView view) {
    try {
      return json.writeValueAsString(view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.unitcell.cell.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.flashsale.PendingOrder;
import io.unitcell.cell.order.NewOrder;
import io.unitcell.cell.order.OrderColumns;
import java.time.Instant;
import java.util.List;

/** An order as the API shows it; ids are strings (JavaScript numbers stop at 2^53). */
public record OrderView(
    String orderId,
    String userId,
    String status,
    String currency,
    long totalCents,
    List<OrderRequest.Line> lines,
    int version,
    Instant createdAt,
    Instant updatedAt) {

  /** The status of an order still in the flash-sale pipeline. */
  public static final String PENDING = "PENDING";

  // lines_json is the domain's form (NewOrder.Line), whatever the wire's line looks like
  private static final TypeReference<List<NewOrder.Line>> LINES = new TypeReference<>() {};

  /** A flash-sale order accepted and not yet stored. */
  public static OrderView pending(PendingOrder order) {
    return new OrderView(
        Long.toString(order.orderId()),
        order.userId(),
        PENDING,
        order.currency(),
        order.totalCents(),
        List.of(new OrderRequest.Line(order.sku(), order.quantity(), order.unitPriceCents())),
        0,
        order.acceptedAt(),
        order.acceptedAt());
  }

  public static OrderView of(OrderColumns order, ObjectMapper json) {
    try {
      return new OrderView(
          Long.toString(order.orderId),
          order.userId,
          order.status.name(),
          order.currency,
          order.totalCents,
          json.readValue(order.linesJson, LINES).stream().map(OrderRequest.Line::of).toList(),
          order.version,
          order.createdAt,
          order.updatedAt);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("order " + order.orderId + " has unreadable lines", e);
    }
  }
}

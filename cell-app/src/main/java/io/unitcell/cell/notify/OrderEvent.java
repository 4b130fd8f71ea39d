package io.unitcell.cell.notify;

import io.unitcell.cell.order.OrderColumns;
import java.time.Instant;

/** What a notification says: an order reached a status. */
public record OrderEvent(String orderId, String userId, String status, Instant at) {

  public static OrderEvent of(OrderColumns order) {
    return new OrderEvent(
        Long.toString(order.orderId), order.userId, order.status.name(), order.updatedAt);
  }
}

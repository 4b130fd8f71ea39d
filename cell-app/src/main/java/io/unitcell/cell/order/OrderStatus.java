package io.unitcell.cell.order;

import java.util.Map;
import java.util.Set;

/**
 * Where an order is in its life: CREATED → PAID → SHIPPED → DELIVERED, and CREATED or PAID →
 * CANCELLED. Nothing else moves.
 */
public enum OrderStatus {
  CREATED,
  PAID,
  SHIPPED,
  DELIVERED,
  CANCELLED;

  /** What can be done to an order, and the status it leads to. */
  public enum Action {
    PAY(PAID),
    SHIP(SHIPPED),
    DELIVER(DELIVERED),
    CANCEL(CANCELLED);

    private final OrderStatus target;

    Action(OrderStatus target) {
      this.target = target;
    }

    public OrderStatus target() {
      return target;
    }
  }

  private static final Map<Action, Set<OrderStatus>> ALLOWED_FROM =
      Map.of(
          Action.PAY, Set.of(CREATED),
          Action.SHIP, Set.of(PAID),
          Action.DELIVER, Set.of(SHIPPED),
          Action.CANCEL, Set.of(CREATED, PAID));

  /** Whether {@code action} may move an order in this status. */
  public boolean allows(Action action) {
    return ALLOWED_FROM.get(action).contains(this);
  }

  /** Whether the order is done: no action applies any more. */
  public boolean isFinal() {
    return this == DELIVERED || this == CANCELLED;
  }
}

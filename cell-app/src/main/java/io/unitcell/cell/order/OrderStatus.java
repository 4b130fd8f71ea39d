package io.unitcell.cell.order;

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

  /**
   * Whether {@code action} may move an order in this status. (A switch, not a static map: Action
   * may be initialised before this enum, and a map built in either class initialiser would see the
   * other's constants as null.)
   */
  public boolean allows(Action action) {
    return switch (action) {
      case PAY -> this == CREATED;
      case SHIP -> this == PAID;
      case DELIVER -> this == SHIPPED;
      case CANCEL -> this == CREATED || this == PAID;
    };
  }

  /** Whether the order is done: no action applies any more. */
  public boolean isFinal() {
    return this == DELIVERED || this == CANCELLED;
  }
}

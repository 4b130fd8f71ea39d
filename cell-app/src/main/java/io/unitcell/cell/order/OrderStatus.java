package io.unitcell.cell.order;

/** Where an order is in its life. */
public enum OrderStatus {
  CREATED,
  PAID,
  SHIPPED,
  DELIVERED,
  CANCELLED
}

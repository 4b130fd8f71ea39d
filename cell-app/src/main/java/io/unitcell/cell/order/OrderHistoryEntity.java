package io.unitcell.cell.order;

import jakarta.persistence.Entity;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** A finished order moved out of the hot table, a row of {@code orders_history}; read-only. */
@Entity
@Table(name = "orders_history")
@IdClass(OrderColumns.Key.class)
public class OrderHistoryEntity extends OrderColumns {

  static OrderHistoryEntity of(OrderEntity order) {
    OrderHistoryEntity moved = new OrderHistoryEntity();
    moved.copyFrom(order);
    return moved;
  }
}

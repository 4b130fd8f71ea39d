package io.unitcell.cell.order;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.cell.order.OrderStatus.Action;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrderStatusTest {

  static Set<OrderStatus> from(Action action) {
    Set<OrderStatus> allowed = EnumSet.noneOf(OrderStatus.class);
    for (OrderStatus status : OrderStatus.values()) {
      if (status.allows(action)) {
        allowed.add(status);
      }
    }
    return allowed;
  }

  @Test
  void movesOnlyAlongTheLifecycle() {
    assertThat(from(Action.PAY)).containsExactly(OrderStatus.CREATED);
    assertThat(from(Action.SHIP)).containsExactly(OrderStatus.PAID);
    assertThat(from(Action.DELIVER)).containsExactly(OrderStatus.SHIPPED);
    assertThat(from(Action.CANCEL)).containsExactly(OrderStatus.CREATED, OrderStatus.PAID);
  }

  @Test
  void finalStatusesAllowNothing() {
    for (OrderStatus status : EnumSet.of(OrderStatus.DELIVERED, OrderStatus.CANCELLED)) {
      assertThat(status.isFinal()).isTrue();
      assertThat(EnumSet.allOf(Action.class)).noneMatch(status::allows);
    }
  }
}

package io.unitcell.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class RouteClassTest {

  @Test
  void classifiesTheCellApiAndNothingElse() {
    assertThat(RouteClass.of(HttpMethod.POST, "/orders")).isEqualTo(RouteClass.ORDER_CREATE);
    assertThat(RouteClass.of(HttpMethod.POST, "/orders/")).isEqualTo(RouteClass.ORDER_CREATE);
    assertThat(RouteClass.of(HttpMethod.GET, "/orders/123")).isEqualTo(RouteClass.ORDER_READ);
    assertThat(RouteClass.of(HttpMethod.POST, "/orders/123/pay"))
        .isEqualTo(RouteClass.ORDER_ACTION);
    assertThat(RouteClass.of(HttpMethod.GET, "/users/u1/orders")).isEqualTo(RouteClass.USER_ORDERS);
    assertThat(RouteClass.of(HttpMethod.POST, "/flash-sales/sku-1/orders"))
        .isEqualTo(RouteClass.FLASH_SALE);

    assertThat(RouteClass.of(HttpMethod.GET, "/orders")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.GET, "/ordersx")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.POST, "/orders/1/pay/now")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.POST, "/orders/1/")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.GET, "/users//orders")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.GET, "/users/a/b/orders")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.POST, "/flash-sales/orders")).isEqualTo(RouteClass.OTHER);
    assertThat(RouteClass.of(HttpMethod.GET, "/")).isEqualTo(RouteClass.OTHER);
  }
}

package io.unitcell.cell.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.order.NewOrder;
import io.unitcell.cell.order.RequestHash;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderRequestTest {

  static final String BODY =
      """
      {"currency": "CNY", "lines": [{"sku": "sku-1", "quantity": 2, "unitPriceCents": 1999},
                                    {"sku": "sku-2", "quantity": 1, "unitPriceCents": 500}]}
      """;

  @Test
  void aRequestBecomesTheNewOrderItDescribesWithItsLinesInOrder() throws Exception {
    NewOrder order = new ObjectMapper().readValue(BODY, OrderRequest.class).toNewOrder();

    assertThat(order)
        .isEqualTo(
            new NewOrder(
                "CNY",
                List.of(new NewOrder.Line("sku-1", 2, 1999), new NewOrder.Line("sku-2", 1, 500))));
    assertThat(order.totalCents()).isEqualTo(4498);
  }

  @Test
  void theApiTestsBodyKeepsTheHashItWasStoredWith() throws Exception {
    NewOrder order = new ObjectMapper().readValue(BODY, OrderRequest.class).toNewOrder();

    assertThat(RequestHash.of(order))
        .isEqualTo("24389fb358ac617b196e32f0dc43a9f5dff920f6a5ab95eb390e66d4f451eea3");
  }
}

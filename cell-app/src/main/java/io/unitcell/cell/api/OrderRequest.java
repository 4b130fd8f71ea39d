package io.unitcell.cell.api;

import io.unitcell.cell.order.NewOrder;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** The body of {@code POST /orders}; the domain gets it as a {@link NewOrder}. */
public record OrderRequest(
    @NotNull(message = "currency is required") @Pattern(regexp = "[A-Z]{3}", message = "currency must be an ISO 4217 code such as CNY") String currency,
    @NotNull(message = "lines are required") @Size(min = 1, max = OrderRequest.MAX_LINES, message = "an order has 1 to {max} lines") List<@Valid @NotNull(message = "a line is null") Line> lines) {

  public static final int MAX_LINES = 50;

  /** One product line. */
  public record Line(
      @NotNull(message = "sku is required") @Pattern(
              regexp = "[A-Za-z0-9._-]{1,64}",
              message = "sku must be 1-64 letters, digits, '.', '_' or '-'")
          String sku,
      @Min(value = 1, message = "quantity must be at least 1") @Max(value = 10_000, message = "quantity must be at most 10000") int quantity,
      @Min(value = 0, message = "unitPriceCents must not be negative") @Max(value = 100_000_000, message = "unitPriceCents must be at most 100000000") long unitPriceCents) {

    NewOrder.Line toLine() {
      return new NewOrder.Line(sku, quantity, unitPriceCents);
    }

    /** A stored line as the API shows it. */
    static Line of(NewOrder.Line line) {
      return new Line(line.sku(), line.quantity(), line.unitPriceCents());
    }
  }

  /** The order as the domain takes it (a validated request: no null lines). */
  public NewOrder toNewOrder() {
    return new NewOrder(currency, lines.stream().map(Line::toLine).toList());
  }
}

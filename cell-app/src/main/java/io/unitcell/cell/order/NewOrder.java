package io.unitcell.cell.order;

import java.util.List;

/**
 * An order to create, as the domain sees it: a currency and its product lines, in order. The API's
 * request maps to it; what is stored and hashed is derived from this type alone ({@link
 * RequestHash}, {@code lines_json}), so a change of the wire format cannot change either.
 */
public record NewOrder(String currency, List<Line> lines) {

  public NewOrder {
    lines = List.copyOf(lines);
  }

  /** One product line. */
  public record Line(String sku, int quantity, long unitPriceCents) {}

  /** The order's total in cents (at most 50 × 10000 × 10^8 through the API, well inside a long). */
  public long totalCents() {
    return lines.stream().mapToLong(l -> l.quantity() * l.unitPriceCents()).sum();
  }
}

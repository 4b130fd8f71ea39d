package io.unitcell.cell.flashsale;

import java.time.Instant;

/**
 * A flash-sale order accepted into the pipeline and not yet in the database. It holds everything
 * the database row needs, including the id the buyer was given.
 */
public record PendingOrder(
    long orderId,
    String userId,
    String idempotencyKey,
    String requestHash,
    String sku,
    int quantity,
    long unitPriceCents,
    String currency,
    Instant acceptedAt) {

  public long totalCents() {
    return unitPriceCents * quantity;
  }
}

package io.unitcell.cell.flashsale;

/**
 * A flash sale of one SKU: its price, how many a buyer may take in one order, and over how many
 * cache keys its stock is split (more keys, less contention on each).
 */
public record FlashSale(
    String sku, long unitPriceCents, String currency, int maxQuantity, int subKeys) {

  public static final int MAX_SUB_KEYS = 256;

  public FlashSale {
    if (sku == null || !sku.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("sku must be 1-64 letters, digits or . _ -");
    }
    if (unitPriceCents < 0) {
      throw new IllegalArgumentException("unitPriceCents must not be negative");
    }
    if (currency == null || !currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException("currency must be an ISO 4217 code such as CNY");
    }
    if (maxQuantity < 1 || maxQuantity > 100) {
      throw new IllegalArgumentException("maxQuantity must be 1 to 100");
    }
    if (subKeys < 1 || subKeys > MAX_SUB_KEYS) {
      throw new IllegalArgumentException("subKeys must be 1 to " + MAX_SUB_KEYS);
    }
  }
}

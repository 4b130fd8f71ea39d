package io.unitcell.cell.cache;

import java.util.List;

/**
 * The cell's Infinispan caches. Each is configured in {@code application.properties} under {@code
 * quarkus.infinispan-client.cache.<name>.configuration} and created on the server on first use.
 */
public final class CacheNames {

  /** Order views and first pages of users' orders ({@link OrderCache}): bounded, expiring. */
  public static final String ORDERS = "orders";

  /** Flash sales, their stock sub-keys, buyers' claims and reserved order ids; persistent. */
  public static final String FLASH_SALE = "flash-sale";

  /** Accepted flash-sale orders not yet in the database, by order id; persistent. */
  public static final String FLASH_SALE_QUEUE = "flash-sale-queue";

  /** Every cache of the cell. */
  public static final List<String> ALL = List.of(ORDERS, FLASH_SALE, FLASH_SALE_QUEUE);

  private CacheNames() {}
}

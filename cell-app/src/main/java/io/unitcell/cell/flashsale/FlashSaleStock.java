package io.unitcell.cell.flashsale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.cache.CacheNames;
import io.unitcell.cell.cache.CacheStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.infinispan.client.hotrod.MetadataValue;

/**
 * Flash-sale stock in the cell's Infinispan, split over the sale's sub-keys {@code
 * stock:<sku>:<i>}. A buyer starts at the sub-key its user id hashes to and moves on when that one
 * is empty; each deduction is a compare-and-set on the entry's version, so two buyers can never
 * both take the last unit: units sold never exceed the stock.
 */
@ApplicationScoped
public class FlashSaleStock {

  private static final int CAS_ATTEMPTS = 32;

  /** What a deduction did. */
  public sealed interface Take {}

  /** Took the units from sub-key {@code subKey}. */
  public record Taken(int subKey) implements Take {}

  /** No sub-key has enough left. */
  public record SoldOut() implements Take {}

  /** Stock is left but every attempt lost its compare-and-set to other buyers; retry. */
  public record Contended() implements Take {}

  private final CacheStore store;
  private final ObjectMapper json;

  FlashSaleStock(CacheStore store, ObjectMapper json) {
    this.store = store;
    this.json = json;
  }

  /** Opens (or resets) a sale with {@code stock} units spread evenly over its sub-keys. */
  public void define(FlashSale sale, long stock) {
    if (stock < 0) {
      throw new IllegalArgumentException("stock must not be negative");
    }
    for (int i = 0; i < sale.subKeys(); i++) {
      long share = stock / sale.subKeys() + (i < stock % sale.subKeys() ? 1 : 0);
      String key = stockKey(sale.sku(), i);
      store.call(CacheNames.FLASH_SALE, cache -> cache.put(key, Long.toString(share)));
    }
    store.call(CacheNames.FLASH_SALE, cache -> cache.put(saleKey(sale.sku()), write(sale)));
  }

  public Optional<FlashSale> sale(String sku) {
    String value = store.call(CacheNames.FLASH_SALE, cache -> cache.get(saleKey(sku)));
    return Optional.ofNullable(value).map(this::read);
  }

  /** Units left over all sub-keys. */
  public long remaining(FlashSale sale) {
    long left = 0;
    for (int i = 0; i < sale.subKeys(); i++) {
      String key = stockKey(sale.sku(), i);
      String value = store.call(CacheNames.FLASH_SALE, cache -> cache.get(key));
      left += value == null ? 0 : Long.parseLong(value);
    }
    return left;
  }

  /** Takes {@code quantity} units for {@code userId}, never more than there are. */
  public Take take(FlashSale sale, String userId, int quantity) {
    int start = Math.floorMod(userId.hashCode(), sale.subKeys());
    boolean contended = false;
    for (int i = 0; i < sale.subKeys(); i++) {
      int subKey = (start + i) % sale.subKeys();
      String key = stockKey(sale.sku(), subKey);
      for (int attempt = 0; ; attempt++) {
        MetadataValue<String> current =
            store.call(CacheNames.FLASH_SALE, cache -> cache.getWithMetadata(key));
        if (current == null || Long.parseLong(current.getValue()) < quantity) {
          break;
        }
        if (attempt == CAS_ATTEMPTS) {
          contended = true;
          break;
        }
        String next = Long.toString(Long.parseLong(current.getValue()) - quantity);
        boolean replaced =
            store.call(
                CacheNames.FLASH_SALE,
                cache -> cache.replaceWithVersion(key, next, current.getVersion()));
        if (replaced) {
          return new Taken(subKey);
        }
      }
    }
    return contended ? new Contended() : new SoldOut();
  }

  /** Returns units taken by an order that could not be accepted after all. */
  public void giveBack(FlashSale sale, int subKey, int quantity) {
    String key = stockKey(sale.sku(), subKey);
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      MetadataValue<String> current =
          store.call(CacheNames.FLASH_SALE, cache -> cache.getWithMetadata(key));
      long now = current == null ? 0 : Long.parseLong(current.getValue());
      String next = Long.toString(now + quantity);
      boolean replaced =
          current == null
              ? store.putIfAbsent(CacheNames.FLASH_SALE, key, next, null) == null
              : store.call(
                  CacheNames.FLASH_SALE,
                  cache -> cache.replaceWithVersion(key, next, current.getVersion()));
      if (replaced) {
        return;
      }
    }
    throw new IllegalStateException("could not give back " + quantity + " of " + sale.sku());
  }

  static String saleKey(String sku) {
    return "sale:" + sku;
  }

  static String stockKey(String sku, int subKey) {
    return "stock:" + sku + ":" + subKey;
  }

  private String write(FlashSale sale) {
    try {
      return json.writeValueAsString(sale);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private FlashSale read(String value) {
    try {
      return json.readValue(value, FlashSale.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable flash sale " + value, e);
    }
  }
}

package io.unitcell.cell.flashsale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unitcell.cell.cache.CacheNames;
import io.unitcell.cell.cache.CacheStore;
import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.order.OrderId;
import io.unitcell.cell.order.OrderService;
import io.unitcell.cell.order.RequestHash;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.infinispan.client.hotrod.MetadataValue;
import org.infinispan.commons.util.CloseableIterator;
import org.jboss.logging.Logger;

/**
 * The flash-sale path: a buyer's claim on an idempotency key, the stock deduction, and the accepted
 * order written to a persistent Infinispan cache (the pipeline, {@value
 * CacheNames#FLASH_SALE_QUEUE}) before the buyer hears 202. Workers ({@link FlashSaleWorker}) move
 * accepted orders into the database at a bounded rate and only then remove them from the pipeline,
 * so an accepted order is in the pipeline, in the database, or both — never in neither, whatever
 * restarts in between.
 */
@ApplicationScoped
public class FlashSalePipeline {

  private static final Logger LOG = Logger.getLogger(FlashSalePipeline.class);
  private static final Duration CLAIM_LIFESPAN = Duration.ofDays(1);

  /**
   * A claim this old and still not accepted belongs to a request that died or failed half-way; a
   * retry takes it over. Taking over a live request's claim is harmless: both take units under the
   * same order id, the queue keeps one of them, and the other gives its units back.
   */
  private static final Duration STALE_CLAIM = Duration.ofSeconds(2);

  /** Written under an order id whose queue write failed, so that a late write cannot land. */
  private static final String TOMBSTONE = "-";

  /** What {@link #accept} did. */
  public sealed interface Outcome {}

  /** Accepted now: the order is in the pipeline. */
  public record Accepted(OrderId orderId) implements Outcome {}

  /** This key was accepted before, with the same request: the same order. */
  public record AlreadyAccepted(OrderId orderId) implements Outcome {}

  /** This key was used for a different request. */
  public record KeyConflict() implements Outcome {}

  /** A request with this key is being handled right now. */
  public record InProgress() implements Outcome {}

  public record NoSuchSale() implements Outcome {}

  public record SoldOut() implements Outcome {}

  /** More units than the sale allows in one order. */
  public record OverLimit(int maxQuantity) implements Outcome {}

  /** Stock is left but contention was too high this time. */
  public record Busy() implements Outcome {}

  private final CacheStore store;
  private final FlashSaleStock stock;
  private final OrderService orders;
  private final ObjectMapper json;
  private final Clock clock = Clock.systemUTC();
  private volatile Runnable onAccepted = () -> {};

  FlashSalePipeline(
      CacheStore store, FlashSaleStock stock, OrderService orders, ObjectMapper json) {
    this.store = store;
    this.stock = stock;
    this.orders = orders;
    this.json = json;
  }

  /** Called after each order this instance accepts (a worker drains at once instead of polling). */
  void onAccepted(Runnable listener) {
    this.onAccepted = listener;
  }

  /**
   * Takes stock for one order and accepts it into the pipeline.
   *
   * @throws CacheUnavailableException when the cache cannot be used (nothing was accepted)
   */
  public Outcome accept(String userId, int slot, String sku, String key, int quantity) {
    String requestHash = RequestHash.ofFlashSaleBuy(sku, quantity);
    String claimKey = claimKey(userId, key);
    OrderId id = reserveId(slot);
    Claim fresh = new Claim(id.value(), requestHash, false, clock.millis());
    Claim claim = fresh;
    String previous =
        store.putIfAbsent(CacheNames.FLASH_SALE, claimKey, fresh.encode(), CLAIM_LIFESPAN);
    if (previous != null) {
      Claim earlier = Claim.decode(previous);
      if (!earlier.requestHash().equals(requestHash)) {
        return new KeyConflict();
      }
      OrderId earlierId = new OrderId(earlier.orderId());
      if (earlier.accepted() || isKnown(userId, earlierId)) {
        return new AlreadyAccepted(earlierId);
      }
      if (clock.millis() - earlier.at() < STALE_CLAIM.toMillis()) {
        return new InProgress();
      }
      // the request that claimed this key died before accepting: take its claim over, same id
      claim = new Claim(earlier.orderId(), requestHash, false, clock.millis());
      if (!replace(claimKey, previous, claim)) {
        return new InProgress();
      }
      id = earlierId;
    }
    return takeAndEnqueue(userId, sku, key, quantity, requestHash, claimKey, claim, id);
  }

  private Outcome takeAndEnqueue(
      String userId,
      String sku,
      String key,
      int quantity,
      String requestHash,
      String claimKey,
      Claim claim,
      OrderId id) {
    Optional<FlashSale> sale;
    FlashSaleStock.Take take;
    try {
      sale = stock.sale(sku);
      take =
          sale.isEmpty() || quantity > sale.get().maxQuantity()
              ? null
              : stock.take(sale.get(), userId, quantity);
    } catch (CacheUnavailableException e) {
      dropClaim(claimKey);
      throw e;
    }
    if (sale.isPresent() && quantity > sale.get().maxQuantity()) {
      dropClaim(claimKey);
      return new OverLimit(sale.get().maxQuantity());
    }
    if (sale.isEmpty() || !(take instanceof FlashSaleStock.Taken taken)) {
      dropClaim(claimKey);
      return sale.isEmpty()
          ? new NoSuchSale()
          : take instanceof FlashSaleStock.Contended ? new Busy() : new SoldOut();
    }
    FlashSale s = sale.get();
    PendingOrder pending =
        new PendingOrder(
            id.value(),
            userId,
            key,
            requestHash,
            sku,
            quantity,
            s.unitPriceCents(),
            s.currency(),
            Instant.now(clock));
    String entry = write(pending);
    String previous;
    try {
      previous = store.putIfAbsent(CacheNames.FLASH_SALE_QUEUE, queueKey(id), entry, null);
    } catch (CacheUnavailableException e) {
      return settleFailedEnqueue(s, taken.subKey(), quantity, claimKey, claim, id, e);
    }
    if (previous != null) {
      // a request that took over this key's claim got the same id in first: ours is not needed
      giveBackQuietly(s, taken.subKey(), quantity);
      if (TOMBSTONE.equals(previous)) {
        dropClaim(claimKey);
        return new Busy();
      }
      markAccepted(claimKey, claim);
      return new AlreadyAccepted(id);
    }
    markAccepted(claimKey, claim);
    onAccepted.run();
    return new Accepted(id);
  }

  /**
   * The write into the queue failed, possibly after the server had it (a time-out). Writing a
   * tombstone under the same id settles it: if the order is there, it was accepted after all; if
   * the tombstone gets in, the late write can no longer land, and the units go back. When even that
   * fails, nobody can tell: the units stay taken (never oversell) and the claim stays, so a retry
   * with the same key finds the order or takes the claim over.
   */
  private Outcome settleFailedEnqueue(
      FlashSale sale,
      int subKey,
      int quantity,
      String claimKey,
      Claim claim,
      OrderId id,
      CacheUnavailableException failure) {
    String there;
    try {
      there =
          store.putIfAbsent(
              CacheNames.FLASH_SALE_QUEUE, queueKey(id), TOMBSTONE, Duration.ofHours(1));
    } catch (CacheUnavailableException unknown) {
      throw failure;
    }
    if (there != null && !TOMBSTONE.equals(there)) {
      markAccepted(claimKey, claim);
      onAccepted.run();
      return new Accepted(id);
    }
    giveBackQuietly(sale, subKey, quantity);
    dropClaim(claimKey);
    throw failure;
  }

  private void giveBackQuietly(FlashSale sale, int subKey, int quantity) {
    try {
      stock.giveBack(sale, subKey, quantity);
    } catch (RuntimeException e) {
      LOG.warnf("%d unit(s) of %s could not be given back: %s", quantity, sale.sku(), e);
    }
  }

  private void markAccepted(String claimKey, Claim claim) {
    try {
      replace(claimKey, claim.encode(), claim.asAccepted());
    } catch (CacheUnavailableException e) {
      // accepted all the same; a retry with this key finds the order in the queue
      LOG.debugf("claim %s not marked accepted: %s", claimKey, e.getMessage());
    }
  }

  /**
   * A fresh order id no other instance of this cell handed to a flash-sale buyer: ids carry no
   * instance bits, so two instances can make the same id for the same slot in the same millisecond.
   * For ordinary orders the database insert notices and the id is replaced; a flash-sale id is
   * promised to the buyer before it is stored, so it is reserved cell-wide here (for longer than
   * ids of one millisecond can be made).
   */
  private OrderId reserveId(int slot) {
    for (int attempt = 0; attempt < 8; attempt++) {
      OrderId id = orders.nextId(slot);
      String previous =
          store.putIfAbsent(CacheNames.FLASH_SALE, "id:" + id.value(), "", Duration.ofMinutes(10));
      if (previous == null) {
        return id;
      }
    }
    throw new IllegalStateException("no free order id for slot " + slot + " after 8 attempts");
  }

  /** The user's order if it is still in the pipeline. */
  public Optional<PendingOrder> pending(String userId, OrderId id) {
    String value = store.call(CacheNames.FLASH_SALE_QUEUE, cache -> cache.get(queueKey(id)));
    return Optional.ofNullable(value)
        .filter(v -> !TOMBSTONE.equals(v))
        .map(this::read)
        .filter(p -> p.userId().equals(userId));
  }

  /** Up to {@code max} orders waiting in the pipeline, oldest first within the batch read. */
  public List<PendingOrder> next(int max) {
    return store.call(
        CacheNames.FLASH_SALE_QUEUE,
        cache -> {
          List<PendingOrder> batch = new ArrayList<>(max);
          try (CloseableIterator<Map.Entry<Object, Object>> entries =
              cache.retrieveEntries(null, max)) {
            while (entries.hasNext() && batch.size() < max) {
              String value = (String) entries.next().getValue();
              if (!TOMBSTONE.equals(value)) {
                batch.add(read(value));
              }
            }
          }
          batch.sort(java.util.Comparator.comparingLong(PendingOrder::orderId));
          return batch;
        });
  }

  /** Removes an order that is now in the database. */
  public void done(PendingOrder order) {
    store.call(
        CacheNames.FLASH_SALE_QUEUE, cache -> cache.remove(queueKey(new OrderId(order.orderId()))));
  }

  /** Orders waiting in the pipeline (the server walks its store: not for every poll). */
  public int backlog() {
    return store.call(CacheNames.FLASH_SALE_QUEUE, cache -> cache.size());
  }

  private boolean isKnown(String userId, OrderId id) {
    String queued = store.call(CacheNames.FLASH_SALE_QUEUE, cache -> cache.get(queueKey(id)));
    return queued != null ? !TOMBSTONE.equals(queued) : orders.find(userId, id).isPresent();
  }

  private boolean replace(String claimKey, String expected, Claim next) {
    MetadataValue<String> current =
        store.call(CacheNames.FLASH_SALE, cache -> cache.getWithMetadata(claimKey));
    return current != null
        && current.getValue().equals(expected)
        && store.call(
            CacheNames.FLASH_SALE,
            cache ->
                cache.replaceWithVersion(
                    claimKey,
                    next.encode(),
                    current.getVersion(),
                    (int) CLAIM_LIFESPAN.toSeconds()));
  }

  private void dropClaim(String claimKey) {
    try {
      store.call(CacheNames.FLASH_SALE, cache -> cache.remove(claimKey));
    } catch (CacheUnavailableException e) {
      LOG.debugf("claim %s left to expire: %s", claimKey, e.getMessage());
    }
  }

  static String claimKey(String userId, String key) {
    return "claim:" + key + ":" + userId;
  }

  static String queueKey(OrderId id) {
    return Long.toString(id.value());
  }

  private String write(PendingOrder order) {
    try {
      return json.writeValueAsString(order);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private PendingOrder read(String value) {
    try {
      return json.readValue(value, PendingOrder.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable pipeline entry " + value, e);
    }
  }

  /** A buyer's claim on an idempotency key: the order id it stands for, and whether accepted. */
  record Claim(long orderId, String requestHash, boolean accepted, long at) {
    String encode() {
      return orderId + "|" + requestHash + "|" + (accepted ? "ACCEPTED" : "CLAIMED") + "|" + at;
    }

    Claim asAccepted() {
      return new Claim(orderId, requestHash, true, at);
    }

    static Claim decode(String value) {
      String[] parts = value.split("\\|");
      return new Claim(
          Long.parseLong(parts[0]),
          parts[1],
          "ACCEPTED".equals(parts[2]),
          Long.parseLong(parts[3]));
    }
  }
}

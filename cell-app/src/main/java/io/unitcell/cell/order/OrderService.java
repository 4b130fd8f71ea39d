package io.unitcell.cell.order;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.faulttolerance.api.RetryWhen;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.hibernate.StaleStateException;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.jpa.HibernateHints;

/**
 * Orders of this cell's users. Every transaction touches one user's rows only, hence one shard.
 *
 * <p>Fault tolerance, with budgets below the router's upstream time-out (5 s): each database call
 * has a time budget (reads 1.5 s, writes 2 s; Connector/J's socket time-out of 2.5 s is the hard
 * stop of one statement), is retried once only when the database could not be reached (every
 * operation here is idempotent: creation by its key, transitions by re-applying the same action;
 * the pipeline's writes are retried by its worker instead), and sits behind a circuit breaker so
 * that a dead shard fails requests in microseconds instead of holding threads. Writes have a
 * bulkhead each, so that a slow database cannot take every worker thread; a write the bulkhead
 * turns away is this cell being busy, not the database failing, so it does not count towards
 * opening the breaker. Database calls are guarded by annotations only, here: each method's budget
 * beside it, overridable per method through MicroProfile Config ({@code
 * io.unitcell.cell.order.OrderService/create/Timeout/value}).
 */
@ApplicationScoped
public class OrderService {

  private static final int ID_ATTEMPTS = 3;

  /** Concurrent executions of each write method; more are refused at once (503). */
  static final int WRITE_CONCURRENCY = 32;

  /** Concurrent writes of the flash-sale pipeline. */
  static final int PIPELINE_CONCURRENCY = 4;

  /** Prefix of flash-sale idempotency keys in the database. */
  public static final String FLASH_KEY_PREFIX = "flash:";

  @Inject EntityManager em;

  private final OrderIdGenerator ids = new OrderIdGenerator();

  /** A fresh order id for a user in {@code slot}. */
  public OrderId nextId(int slot) {
    return ids.next(slot);
  }

  /** What {@link #create} did. */
  public record Creation(OrderEntity order, boolean created) {}

  /** The same key with another request. */
  public static final class IdempotencyConflictException extends RuntimeException {
    IdempotencyConflictException(String key) {
      super("Idempotency-Key " + key + " was used for a different request");
    }
  }

  /**
   * Creates the order, or returns the one this key already made.
   *
   * @throws IdempotencyConflictException when the key was used with a different request
   */
  @Timeout(value = 2000, unit = ChronoUnit.MILLIS)
  @Retry(maxRetries = 1, delay = 100, jitter = 50, maxDuration = 4500)
  @RetryWhen(exception = DatabaseFailures.Retryable.class)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 2000,
      successThreshold = 2,
      skipOn = {
        IdempotencyConflictException.class,
        TransitionRefusedException.class,
        BulkheadException.class
      })
  @Bulkhead(WRITE_CONCURRENCY)
  public Creation create(String userId, int slot, String idempotencyKey, NewOrder order) {
    String requestHash = RequestHash.of(order);
    for (int attempt = 1; ; attempt++) {
      OrderId id = ids.next(slot);
      try {
        OrderEntity created =
            QuarkusTransaction.requiringNew()
                .call(() -> insert(userId, idempotencyKey, requestHash, id, order));
        return new Creation(created, true);
      } catch (RuntimeException e) {
        if (!isDuplicateKey(e)) {
          throw e;
        }
      }
      // a duplicate is the key (someone made this order already) or, rarely, the order id
      Optional<Creation> existing;
      try {
        existing = existing(userId, idempotencyKey, requestHash);
      } catch (RuntimeException e) {
        IdempotencyConflictException conflict = causeOf(e, IdempotencyConflictException.class);
        throw conflict != null ? conflict : e;
      }
      if (existing.isPresent()) {
        return existing.get();
      }
      if (attempt == ID_ATTEMPTS) {
        throw new IllegalStateException("no free order id after " + ID_ATTEMPTS + " attempts");
      }
    }
  }

  /**
   * Stores a flash-sale order accepted earlier under the id its buyer was given; storing it again
   * changes nothing. The buyer's own key was settled when the order was accepted (in the cache), so
   * the database row that makes this idempotent is keyed by the order id ({@value
   * #FLASH_KEY_PREFIX}{@code <id>}): it can never collide with the buyer's other keys. Has its own
   * small bulkhead: the pipeline never takes the API's write capacity.
   */
  @Timeout(value = 2000, unit = ChronoUnit.MILLIS)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 2000,
      successThreshold = 2)
  @Bulkhead(PIPELINE_CONCURRENCY)
  public Creation persistAccepted(OrderId id, String userId, String requestHash, NewOrder order) {
    String key = FLASH_KEY_PREFIX + id;
    try {
      return new Creation(
          QuarkusTransaction.requiringNew().call(() -> insert(userId, key, requestHash, id, order)),
          true);
    } catch (RuntimeException e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
    }
    return existing(userId, key, requestHash)
        .orElseThrow(
            () -> new IllegalStateException("order " + id + " collides with another order's id"));
  }

  /** Why a transition did not happen. */
  public static final class TransitionRefusedException extends RuntimeException {
    TransitionRefusedException(String message) {
      super(message);
    }
  }

  /**
   * One page of a user's orders, newest first, and the cursor of the next page (null at the end).
   */
  public record Page(List<OrderEntity> orders, OrderId next) {}

  /**
   * Applies {@code action} to the user's order. Applying the action that led to the current status
   * again changes nothing (a retried request); anything else the lifecycle forbids is refused.
   * Concurrent changes are caught by the version column.
   *
   * @return the order after the action, or empty when the user has no such order
   * @throws TransitionRefusedException when the lifecycle forbids it or the order changed meanwhile
   */
  @Timeout(value = 2000, unit = ChronoUnit.MILLIS)
  @Retry(maxRetries = 1, delay = 100, jitter = 50, maxDuration = 4500)
  @RetryWhen(exception = DatabaseFailures.Retryable.class)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 2000,
      successThreshold = 2,
      skipOn = {
        IdempotencyConflictException.class,
        TransitionRefusedException.class,
        BulkheadException.class
      })
  @Bulkhead(WRITE_CONCURRENCY)
  public Optional<OrderColumns> apply(String userId, OrderId id, OrderStatus.Action action) {
    try {
      return QuarkusTransaction.requiringNew()
          .call(
              () -> {
                Optional<OrderEntity> found = findIn(userId, id);
                if (found.isEmpty()) {
                  OrderHistoryEntity archived = inHistory(userId, id);
                  if (archived != null && archived.status != action.target()) {
                    throw new TransitionRefusedException(
                        "order "
                            + id
                            + " is "
                            + archived.status
                            + " and archived: cannot "
                            + action.name().toLowerCase(Locale.ROOT));
                  }
                  return Optional.<OrderColumns>ofNullable(archived);
                }
                found.ifPresent(
                    order -> {
                      if (order.status == action.target()) {
                        return;
                      }
                      if (!order.status.allows(action)) {
                        throw new TransitionRefusedException(
                            "order "
                                + id
                                + " is "
                                + order.status
                                + ": cannot "
                                + action.name().toLowerCase(Locale.ROOT));
                      }
                      order.status = action.target();
                      order.updatedAt = Instant.now();
                      em.flush();
                    });
                return found.<OrderColumns>map(o -> o);
              });
    } catch (RuntimeException e) {
      TransitionRefusedException refused = causeOf(e, TransitionRefusedException.class);
      if (refused != null) {
        throw refused;
      }
      if (causeOf(e, OptimisticLockException.class) != null
          || causeOf(e, StaleStateException.class) != null) {
        throw new TransitionRefusedException(
            "order " + id + " changed concurrently; read it and retry");
      }
      throw e;
    }
  }

  /**
   * A page of the user's orders, newest first, starting after {@code after} (exclusive). Keyset
   * pagination on the order id (ids grow with time): no offsets, one shard, one index range.
   */
  @Timeout(value = 1500, unit = ChronoUnit.MILLIS)
  @Retry(maxRetries = 1, delay = 50, jitter = 25, maxDuration = 3500)
  @RetryWhen(exception = DatabaseFailures.Retryable.class)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 2000,
      successThreshold = 2)
  @ActivateRequestContext
  public Page page(String userId, OrderId after, int size) {
    // one SELECT in autocommit: a transaction would add three round trips for a read
    var query =
        em.createQuery(
                after == null
                    ? "from OrderEntity o where o.userId = :user order by o.orderId desc"
                    : "from OrderEntity o where o.userId = :user and o.orderId < :after"
                        + " order by o.orderId desc",
                OrderEntity.class)
            .setParameter("user", userId)
            .setHint(HibernateHints.HINT_READ_ONLY, true)
            .setMaxResults(size + 1);
    if (after != null) {
      query.setParameter("after", after.value());
    }
    List<OrderEntity> rows = query.getResultList();
    boolean more = rows.size() > size;
    List<OrderEntity> orders = more ? rows.subList(0, size) : rows;
    return new Page(
        List.copyOf(orders), more ? new OrderId(orders.get(orders.size() - 1).orderId) : null);
  }

  /** The user's order with this id, live or moved to history. */
  @Timeout(value = 1500, unit = ChronoUnit.MILLIS)
  @Retry(maxRetries = 1, delay = 50, jitter = 25, maxDuration = 3500)
  @RetryWhen(exception = DatabaseFailures.Retryable.class)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 2000,
      successThreshold = 2)
  @ActivateRequestContext
  public Optional<OrderColumns> find(String userId, OrderId id) {
    // autocommit reads, one statement each: the live table, then history
    return findIn(userId, id, true)
        .<OrderColumns>map(o -> o)
        .or(() -> Optional.ofNullable(inHistory(userId, id)));
  }

  private OrderHistoryEntity inHistory(String userId, OrderId id) {
    return em.find(OrderHistoryEntity.class, new OrderColumns.Key(id.value(), userId));
  }

  // the user id routes the query to one shard and keeps users to their own orders
  private Optional<OrderEntity> findIn(String userId, OrderId id) {
    return findIn(userId, id, false);
  }

  private Optional<OrderEntity> findIn(String userId, OrderId id, boolean readOnly) {
    return em.createQuery(
            "from OrderEntity o where o.orderId = :id and o.userId = :user", OrderEntity.class)
        .setParameter("id", id.value())
        .setParameter("user", userId)
        .setHint(HibernateHints.HINT_READ_ONLY, readOnly)
        .getResultStream()
        .findFirst();
  }

  private OrderEntity insert(
      String userId, String key, String requestHash, OrderId id, NewOrder newOrder) {
    Instant now = Instant.now();
    IdempotencyKeyEntity used = new IdempotencyKeyEntity();
    used.userId = userId;
    used.idempotencyKey = key;
    used.requestHash = requestHash;
    used.orderId = id.value();
    used.createdAt = now;
    // inserted first (persist order is insert order): a used key fails the flush before the order
    em.persist(used);
    OrderEntity order = new OrderEntity();
    order.orderId = id.value();
    order.userId = userId;
    order.status = OrderStatus.CREATED;
    order.currency = newOrder.currency();
    order.totalCents = newOrder.totalCents();
    order.linesJson = CanonicalJson.lines(newOrder.lines());
    order.createdAt = now;
    order.updatedAt = now;
    em.persist(order);
    em.flush();
    return order;
  }

  private Optional<Creation> existing(String userId, String key, String requestHash) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              IdempotencyKeyEntity used =
                  em.find(IdempotencyKeyEntity.class, new IdempotencyKeyEntity.Key(userId, key));
              if (used == null) {
                return Optional.empty();
              }
              if (!used.requestHash.equals(requestHash)) {
                throw new IdempotencyConflictException(key);
              }
              return findIn(userId, new OrderId(used.orderId))
                  .map(order -> new Creation(order, false));
            });
  }

  private static boolean isDuplicateKey(Throwable e) {
    return causeOf(e, SQLIntegrityConstraintViolationException.class) != null
        || causeOf(e, ConstraintViolationException.class) != null;
  }

  private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}

package io.unitcell.cell.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.unitcell.cell.api.OrderRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/** Orders of this cell's users. Every transaction touches one user's rows only, hence one shard. */
@ApplicationScoped
public class OrderService {

  private static final int ID_ATTEMPTS = 3;

  @Inject EntityManager em;
  @Inject ObjectMapper json;

  private final OrderIdGenerator ids = new OrderIdGenerator();

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
  public Creation create(String userId, int slot, String idempotencyKey, OrderRequest request) {
    String requestHash = hash(request);
    for (int attempt = 1; ; attempt++) {
      OrderId id = ids.next(slot);
      try {
        OrderEntity order =
            QuarkusTransaction.requiringNew()
                .call(() -> insert(userId, idempotencyKey, requestHash, id, request));
        return new Creation(order, true);
      } catch (RuntimeException e) {
        if (!isDuplicateKey(e)) {
          throw e;
        }
      }
      // a duplicate is the key (someone made this order already) or, rarely, the order id
      Optional<Creation> existing = existing(userId, idempotencyKey, requestHash);
      if (existing.isPresent()) {
        return existing.get();
      }
      if (attempt == ID_ATTEMPTS) {
        throw new IllegalStateException("no free order id after " + ID_ATTEMPTS + " attempts");
      }
    }
  }

  /** The user's order with this id. */
  public Optional<OrderEntity> find(String userId, OrderId id) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                em.createQuery(
                        "from OrderEntity o where o.orderId = :id and o.userId = :user",
                        OrderEntity.class)
                    .setParameter("id", id.value())
                    .setParameter("user", userId)
                    .getResultStream()
                    .findFirst());
  }

  private OrderEntity insert(
      String userId, String key, String requestHash, OrderId id, OrderRequest request) {
    Instant now = Instant.now();
    IdempotencyKeyEntity used = new IdempotencyKeyEntity();
    used.userId = userId;
    used.idempotencyKey = key;
    used.requestHash = requestHash;
    used.orderId = id.value();
    used.createdAt = now;
    em.persist(used);
    em.flush();
    OrderEntity order = new OrderEntity();
    order.orderId = id.value();
    order.userId = userId;
    order.status = OrderStatus.CREATED;
    order.currency = request.currency();
    order.totalCents = request.totalCents();
    order.linesJson = toJson(request.lines());
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
              OrderEntity order =
                  em.createQuery(
                          "from OrderEntity o where o.orderId = :id and o.userId = :user",
                          OrderEntity.class)
                      .setParameter("id", used.orderId)
                      .setParameter("user", userId)
                      .getSingleResult();
              return Optional.of(new Creation(order, false));
            });
  }

  private static boolean isDuplicateKey(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLIntegrityConstraintViolationException
          || t instanceof org.hibernate.exception.ConstraintViolationException) {
        return true;
      }
    }
    return false;
  }

  private String hash(OrderRequest request) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String toJson(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

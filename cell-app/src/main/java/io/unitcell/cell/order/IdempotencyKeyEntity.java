package io.unitcell.cell.order;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A used {@code Idempotency-Key} of a user: the hash of the request it came with and the order it
 * made. Its primary key makes a second order for the same key impossible, also under concurrency.
 */
@Entity
@Table(name = "idempotency_keys")
@IdClass(IdempotencyKeyEntity.Key.class)
public class IdempotencyKeyEntity {

  @Id
  @Column(name = "user_id")
  public String userId;

  @Id
  @Column(name = "idempotency_key")
  public String idempotencyKey;

  @Column(name = "request_hash", nullable = false, length = 64)
  public String requestHash;

  @Column(name = "order_id", nullable = false)
  public long orderId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /** The composite primary key. */
  public static class Key implements Serializable {
    public String userId;
    public String idempotencyKey;

    public Key() {}

    public Key(String userId, String idempotencyKey) {
      this.userId = userId;
      this.idempotencyKey = idempotencyKey;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key other
          && Objects.equals(userId, other.userId)
          && Objects.equals(idempotencyKey, other.idempotencyKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(userId, idempotencyKey);
    }
  }
}

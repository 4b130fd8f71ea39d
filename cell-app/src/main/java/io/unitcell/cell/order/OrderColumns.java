package io.unitcell.cell.order;

import jakarta.persistence.Column;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Version;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * The columns of an order, shared by {@code orders} and {@code orders_history}, both sharded by
 * {@code user_id}. The user id is part of Hibernate's identity (the tables' primary key is {@code
 * order_id} alone) so that every UPDATE and DELETE Hibernate writes names the user and vtgate sends
 * it to one shard.
 */
@MappedSuperclass
public abstract class OrderColumns {

  @Id
  @Column(name = "order_id")
  public long orderId;

  @Id
  @Column(name = "user_id", nullable = false, length = 128)
  public String userId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  public OrderStatus status;

  @Column(nullable = false, length = 3, updatable = false)
  public String currency;

  @Column(name = "total_cents", nullable = false, updatable = false)
  public long totalCents;

  @Column(name = "lines_json", nullable = false, updatable = false)
  public String linesJson;

  @Version public int version;

  @Column(name = "created_at", nullable = false, updatable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  /** Copies every column of {@code from}. */
  void copyFrom(OrderColumns from) {
    orderId = from.orderId;
    userId = from.userId;
    status = from.status;
    currency = from.currency;
    totalCents = from.totalCents;
    linesJson = from.linesJson;
    version = from.version;
    createdAt = from.createdAt;
    updatedAt = from.updatedAt;
  }

  /** Hibernate's identity of an order: its id and its user. */
  public static class Key implements Serializable {
    public long orderId;
    public String userId;

    public Key() {}

    public Key(long orderId, String userId) {
      this.orderId = orderId;
      this.userId = userId;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key other
          && orderId == other.orderId
          && Objects.equals(userId, other.userId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(orderId, userId);
    }
  }
}

package io.unitcell.cell.order;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/** A row of {@code orders}; sharded by {@code user_id}, so every statement names the user. */
@Entity
@Table(name = "orders")
public class OrderEntity {

  @Id
  @Column(name = "order_id")
  public long orderId;

  @Column(name = "user_id", nullable = false, length = 128)
  public String userId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  public OrderStatus status;

  @Column(nullable = false, length = 3)
  public String currency;

  @Column(name = "total_cents", nullable = false)
  public long totalCents;

  @Column(name = "lines_json", nullable = false)
  public String linesJson;

  @Version public int version;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}

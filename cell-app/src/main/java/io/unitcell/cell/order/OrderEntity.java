package io.unitcell.cell.order;

import jakarta.persistence.Entity;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

/** A live order, a row of {@code orders}; only changed columns are written, never the vindex. */
@Entity
@Table(name = "orders")
@IdClass(OrderColumns.Key.class)
@DynamicUpdate
public class OrderEntity extends OrderColumns {}

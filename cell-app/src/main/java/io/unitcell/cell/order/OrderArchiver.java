package io.unitcell.cell.order;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Hot/cold: moves finished orders (DELIVERED or CANCELLED) untouched for {@code
 * unitcell.history.after} from {@code orders} to {@code orders_history}, a batch at a time. Each
 * order moves in its own transaction on its user's shard, so the move is atomic and never spans
 * shards; {@code GET /orders/{id}} reads the history when the order is no longer live.
 */
@ApplicationScoped
public class OrderArchiver {

  private static final Logger LOG = Logger.getLogger(OrderArchiver.class);

  @Inject EntityManager em;

  @ConfigProperty(name = "unitcell.history.after")
  Duration after;

  @ConfigProperty(name = "unitcell.history.batch")
  int batch;

  @Scheduled(
      every = "{unitcell.history.every}",
      delayed = "{unitcell.history.every}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    int moved = archive(Instant.now().minus(after));
    if (moved > 0) {
      LOG.infof("moved %d finished orders to history", moved);
    }
  }

  /** Moves every finished order last changed before {@code cutoff}; returns how many moved. */
  public int archive(Instant cutoff) {
    int moved = 0;
    while (true) {
      // a scatter read over all shards, bounded by the batch size; the moves are single-shard
      List<Object[]> candidates =
          QuarkusTransaction.requiringNew()
              .call(
                  () ->
                      em.createQuery(
                              "select o.orderId, o.userId from OrderEntity o"
                                  + " where o.status in :finished and o.updatedAt < :cutoff",
                              Object[].class)
                          .setParameter(
                              "finished", List.of(OrderStatus.DELIVERED, OrderStatus.CANCELLED))
                          .setParameter("cutoff", cutoff)
                          .setMaxResults(batch)
                          .getResultList());
      for (Object[] candidate : candidates) {
        if (move(new OrderColumns.Key((Long) candidate[0], (String) candidate[1]), cutoff)) {
          moved++;
        }
      }
      if (candidates.size() < batch) {
        return moved;
      }
    }
  }

  private boolean move(OrderColumns.Key key, Instant cutoff) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              OrderEntity order = em.find(OrderEntity.class, key);
              // re-checked inside the transaction: it may have changed since the scan
              if (order == null || !order.status.isFinal() || !order.updatedAt.isBefore(cutoff)) {
                return false;
              }
              em.persist(OrderHistoryEntity.of(order));
              em.remove(order);
              return true;
            });
  }
}

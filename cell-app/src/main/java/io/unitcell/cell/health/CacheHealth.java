package io.unitcell.cell.health;

import io.unitcell.cell.cache.CacheNames;
import io.unitcell.cell.cache.CacheStore;
import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.cache.OrderCache;
import io.unitcell.cell.degrade.Switches;
import io.unitcell.cell.flashsale.FlashSaleWorker;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The cache's part of readiness. A cell without its cache still serves every order from the
 * database (only flash sales pause), so a cache outage shows here as {@code degraded} and does not
 * take the instance out of the router's rotation; the database check (Quarkus' datasource check)
 * does. Also reports invalidations waiting for the cache and the flash-sale backlog.
 */
@Readiness
@ApplicationScoped
public class CacheHealth implements HealthCheck {

  private final CacheStore store;
  private final OrderCache cache;
  private final FlashSaleWorker worker;
  private final Switches switches;

  CacheHealth(CacheStore store, OrderCache cache, FlashSaleWorker worker, Switches switches) {
    this.store = store;
    this.cache = cache;
    this.worker = worker;
    this.switches = switches;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("infinispan").up();
    String state;
    try {
      store.call(CacheNames.ORDERS, c -> c.containsKey("health"));
      state = "available";
    } catch (CacheUnavailableException e) {
      state = "degraded: reads served by the database, flash sales refused";
    }
    return response
        .withData("cache", state)
        .withData("breaker", store.breakerState().name())
        .withData("pendingInvalidations", cache.pendingInvalidations())
        .withData("flashSaleBacklog", worker.backlog())
        .withData("switches", switches.all().toString())
        .build();
  }
}

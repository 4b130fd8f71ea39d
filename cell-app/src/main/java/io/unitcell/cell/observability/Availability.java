package io.unitcell.cell.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * {@code unitcell_availability_ratio}: the share of API requests in the last minute not answered
 * with a 5xx (1 when there were none). Counted in one-second buckets, lock-free.
 */
// created at start-up so that its metrics exist before the first request
@Startup
@Singleton
public class Availability {

  private static final int SECONDS = 60;

  // per bucket: second it belongs to, requests, failures
  private final AtomicLongArray second = new AtomicLongArray(SECONDS);
  private final AtomicLongArray total = new AtomicLongArray(SECONDS);
  private final AtomicLongArray failed = new AtomicLongArray(SECONDS);

  Availability(MeterRegistry registry) {
    Gauge.builder("unitcell.availability.ratio", this, Availability::ratio)
        .description("Share of API requests in the last 60 s not answered with a 5xx")
        .register(registry);
  }

  @ServerResponseFilter
  public void count(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getUriInfo().getPath().startsWith("/q/")) {
      return;
    }
    record(response.getStatus() >= 500, System.currentTimeMillis() / 1000);
  }

  void record(boolean failure, long now) {
    int i = (int) (now % SECONDS);
    long owner = second.get(i);
    if (owner != now && second.compareAndSet(i, owner, now)) {
      total.set(i, 0);
      failed.set(i, 0);
    }
    total.incrementAndGet(i);
    if (failure) {
      failed.incrementAndGet(i);
    }
  }

  double ratio() {
    return ratio(System.currentTimeMillis() / 1000);
  }

  double ratio(long now) {
    long all = 0;
    long bad = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (now - second.get(i) < SECONDS) {
        all += total.get(i);
        bad += failed.get(i);
      }
    }
    return all == 0 ? 1 : 1 - (double) bad / all;
  }
}

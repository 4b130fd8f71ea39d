package io.unitcell.cell.api;

import io.unitcell.cell.cache.CacheStore.CacheUnavailableException;
import io.unitcell.cell.order.DatabaseFailures;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Unexpected failures become clear answers: the database (vtgate, a shard) unreachable or too slow,
 * its circuit breaker open, or the write bulkhead full is a fast {@code 503} with {@code
 * Retry-After}, never a fake success; anything else is a logged {@code 500}.
 */
public class FailureMapper {

  private static final Logger LOG = Logger.getLogger(FailureMapper.class);

  @ServerExceptionMapper
  public Response map(RuntimeException e) {
    if (e instanceof WebApplicationException web) {
      return web.getResponse();
    }
    if (DatabaseFailures.unavailable(e)) {
      LOG.warnf("database unavailable: %s", rootMessage(e));
      return ApiError.unavailable("the order database is unavailable; retry shortly");
    }
    if (e instanceof CacheUnavailableException) {
      return ApiError.unavailable("the cell's cache is unavailable; retry shortly");
    }
    // only the database's guards throw these: the cache's are CacheUnavailableException, and
    // notifications fall back
    if (e instanceof CircuitBreakerOpenException) {
      return ApiError.unavailable(
          "the order database is failing; requests are cut off briefly; retry");
    }
    if (e instanceof TimeoutException) {
      LOG.warnf("time budget exceeded: %s", e.getMessage());
      return ApiError.unavailable("the order database did not answer in time; retry shortly");
    }
    if (e instanceof BulkheadException) {
      return ApiError.unavailable(
          "this cell is at its limit of concurrent order writes; retry shortly");
    }
    LOG.error("unexpected failure", e);
    return ApiError.response(500, "internal error");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}

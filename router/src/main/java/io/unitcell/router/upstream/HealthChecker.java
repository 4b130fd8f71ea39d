package io.unitcell.router.upstream;

import io.unitcell.router.config.RouterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.jboss.logging.Logger;

/**
 * Active health checks: every endpoint of the table gets {@code GET <path>} each interval; a {@code
 * 2xx} passes, anything else (or no answer within the time-out) fails. Runs on one event loop
 * without blocking it.
 */
public final class HealthChecker implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(HealthChecker.class);

  private final Vertx vertx;
  private final Upstreams upstreams;
  private final RouterConfig.Health config;
  private final HttpClient client;
  private long timer = -1;

  public HealthChecker(Vertx vertx, Upstreams upstreams, RouterConfig.Health config) {
    this.vertx = vertx;
    this.upstreams = upstreams;
    this.config = config;
    int timeout = (int) config.timeout().toMillis();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout(timeout)
                .setName("unitcell-health-checks"),
            new PoolOptions().setHttp1MaxSize(1));
  }

  public void start() {
    timer = vertx.setPeriodic(0, config.interval().toMillis(), id -> checkAll());
  }

  private void checkAll() {
    for (Endpoint endpoint : upstreams.endpoints()) {
      check(endpoint);
    }
  }

  private void check(Endpoint endpoint) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setURI(config.path())
            .setIdleTimeout(config.timeout().toMillis());
    client
        .request(request)
        .compose(req -> req.send())
        .compose(
            resp -> resp.body().map(body -> resp.statusCode() >= 200 && resp.statusCode() < 300))
        .onComplete(
            result -> {
              boolean passed = result.succeeded() && result.result();
              if (endpoint.onCheck(passed, config.unhealthyAfter())) {
                if (passed) {
                  LOG.infof("endpoint %s passes its health check again", endpoint);
                } else {
                  LOG.warnf(
                      "endpoint %s failed %d health checks in a row (%s): no requests go there"
                          + " while another endpoint of its cell is healthy",
                      endpoint,
                      config.unhealthyAfter(),
                      result.failed() ? result.cause().toString() : "not 2xx");
                }
              }
            });
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    client.close();
  }
}

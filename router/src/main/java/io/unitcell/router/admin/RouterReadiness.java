package io.unitcell.router.admin;

import io.unitcell.router.app.Router;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the proxy listens and a routing table is in use. */
@Readiness
@ApplicationScoped
public class RouterReadiness implements HealthCheck {

  private final Router router;

  RouterReadiness(Router router) {
    this.router = router;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("router")
        .status(router.isReady())
        .withData("epoch", router.tables() == null ? -1 : router.tables().epoch())
        .withData("tableSource", router.tables() == null ? "none" : router.tables().source())
        .build();
  }
}

package io.unitcell.cell.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The cell trusts {@value OrderResource#USER_HEADER} only from the router, which takes it from a
 * verified JWT: when {@code unitcell.router.secret} is set, every API request must carry it in
 * {@value #SECRET_HEADER} (compared in constant time), else 401. Health and metrics under {@code
 * /q/} stay open for probes. In Kubernetes a NetworkPolicy also keeps everything but the router
 * away from cell pods.
 */
@Provider
@PreMatching
public class RouterOnlyFilter implements ContainerRequestFilter {

  public static final String SECRET_HEADER = "X-Unitcell-Router-Secret";

  private final Optional<byte[]> secret;

  RouterOnlyFilter(@ConfigProperty(name = "unitcell.router.secret") Optional<String> secret) {
    this.secret = secret.filter(s -> !s.isBlank()).map(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (secret.isEmpty() || request.getUriInfo().getPath().startsWith("/q/")) {
      return;
    }
    String presented = request.getHeaderString(SECRET_HEADER);
    if (presented == null
        || !MessageDigest.isEqual(secret.get(), presented.getBytes(StandardCharsets.UTF_8))) {
      request.abortWith(
          ApiError.response(401, "requests must come through the router (" + SECRET_HEADER + ")"));
    }
  }
}
